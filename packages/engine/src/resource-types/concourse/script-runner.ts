import type { BuildMetadata } from '@weir/resources';
import type { ResourceScript } from './protocol.js';
import type { TypeImage } from './type-image.js';

/** One run of `/opt/resource/<script>` in a type's image. */
export interface ResourceScriptRun {
  image: TypeImage;
  /** The type's name, for what the runtime starts (a pod's name). */
  type: string;
  script: ResourceScript;
  /** The build of a get or put, for what the runtime starts (a pod's labels); absent for a check. */
  build?: BuildMetadata;
  /** The host directory the script gets as `$1`: the destination of `in`, the sources of `out`. */
  dir?: string;
  /** A host directory the script sees as its /tmp. */
  scratch: string;
  /** The JSON request, written to stdin. */
  request: string;
  /** Besides the image's own environment. */
  env: Record<string, string>;
  privileged: boolean;
  /** Ends every process of the run. */
  signal: AbortSignal;
  onStderr(line: string): void;
}

export interface ResourceScriptExit {
  exitStatus: number;
  stdout: string;
  /** The image turned out to have no such script (a runtime that cannot look before it runs says so after). */
  scriptMissing?: boolean;
}

/**
 * Where resource scripts run: in the sandbox, in their image's root filesystem on this host, or
 * as a pod on the cluster. Each takes the kind of image its `TypeImageSource` gives.
 */
export interface ResourceScriptRunner {
  /** Rejects with `signal.reason` after an abort, once the script's processes are gone. */
  run(run: ResourceScriptRun): Promise<ResourceScriptExit>;
}
