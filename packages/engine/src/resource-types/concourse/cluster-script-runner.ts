import type { PodScriptExit, PodScriptRun } from '../../executors/kubernetes/pod-script.js';
import { MAX_RESPONSE_BYTES, SCRIPT_DIRS, scriptPath } from './protocol.js';
import type { ResourceScriptExit, ResourceScriptRun, ResourceScriptRunner } from './script-runner.js';

/** The part of the kubernetes executor that runs a program with stdin and stdout in a pod. */
export interface PodScripts {
  runScript(run: PodScriptRun): Promise<PodScriptExit>;
}

/**
 * Runs `/opt/resource/check|in|out` as a pod on the cluster, as Concourse's Kubernetes runtime
 * does in a container: the type's image (by digest, pulled by the node) is the pod's image, the
 * request goes to the script's stdin, its stdout is the response (bounded as in the sandbox),
 * its stderr goes line by line to the build or check log, and `$1` is the directory Concourse
 * uses, sent into the pod for `out` and brought back from it for `in`. The pod is a task's pod:
 * labelled with the build, counted against the executor's concurrency cap, deleted at the end.
 */
export class ClusterScriptRunner implements ResourceScriptRunner {
  constructor(private readonly cluster: PodScripts) {}

  async run(run: ResourceScriptRun): Promise<ResourceScriptExit> {
    const image = run.image;
    if (image.where !== 'registry') throw new Error(`a cluster runs resource scripts from an image in a registry, and was given ${image.rootfs}`);
    const target = run.dir === undefined ? undefined : run.script === 'out' ? SCRIPT_DIRS.out : SCRIPT_DIRS.in;
    const build = run.build;
    const exit = await this.cluster.runScript({
      image: image.reference,
      argv: [scriptPath(run.script), ...(target === undefined ? [] : [target])],
      stdin: run.request,
      ...(target !== undefined && run.dir !== undefined && { dir: { local: run.dir, path: target, returns: run.script === 'in' } }),
      env: run.env,
      privileged: run.privileged,
      maxStdoutBytes: MAX_RESPONSE_BYTES,
      scratch: run.scratch,
      ...(build !== undefined && {
        owner: { team: build.teamName, pipeline: build.pipelineName, job: build.jobName, buildId: build.buildId, buildName: build.buildName, step: `${run.script} ${run.type}` },
      }),
      name: `${run.script}-${run.type}`,
      location: `${scriptPath(run.script)} of ${image.description}`,
      signal: run.signal,
      onStderr: run.onStderr,
    });
    return { exitStatus: exit.exitStatus, stdout: exit.stdout.toString('utf8'), ...(exit.programMissing && { scriptMissing: true }) };
  }
}
