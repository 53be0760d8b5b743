import type { ResourceScript } from './protocol.js';
import type { TypeImage } from './type-image.js';

/** One run of `/opt/resource/<script>` in a type's image. */
export interface ResourceScriptRun {
  image: TypeImage;
  script: ResourceScript;
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
}

/** Where resource scripts run: in the sandbox, in their image's root filesystem. */
export interface ResourceScriptRunner {
  /** Rejects with `signal.reason` after an abort, once the script's processes are gone. */
  run(run: ResourceScriptRun): Promise<ResourceScriptExit>;
}
