import { WeirError } from '../../errors.js';
import { resolveImageUser } from '../../executors/sandbox/image-user.js';
import { runSandboxed } from '../../executors/sandbox/sandbox-process.js';
import type { Logger } from '../../logging.js';
import { MAX_RESPONSE_BYTES, SCRIPT_DIRS, scriptPath } from './protocol.js';
import type { ResourceScriptExit, ResourceScriptRun, ResourceScriptRunner } from './script-runner.js';

export interface SandboxScriptRunnerOptions {
  /** Whether a type declared `privileged: true` may run with every capability of its user namespace (`weir up --allow-privileged`). */
  allowPrivileged: boolean;
  logger: Logger;
  /** bubblewrap's path; default `bwrap` on PATH. */
  bwrap?: string;
}

/** An aborted script (a timeout, an aborted build) gets this long to stop before it is killed. */
const KILL_GRACE_MS = 2_000;

/** Images often set no PATH; Concourse's workers give the scripts this one. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Runs `/opt/resource/check|in|out` with bubblewrap in the type's image, as a Concourse worker
 * does in a container: the request on stdin, the response collected from stdout, stderr line by
 * line to the build or check log, the directory as `$1` (mounted at the path Concourse uses),
 * a private /tmp. The script sees nothing else of the host: no data directory, no token, no
 * other build. The network is the host's, since types exist to talk to other systems.
 */
export class SandboxScriptRunner implements ResourceScriptRunner {
  constructor(private readonly options: SandboxScriptRunnerOptions) {}

  async run(run: ResourceScriptRun): Promise<ResourceScriptExit> {
    const image = run.image;
    if (image.where !== 'host') throw new Error(`the sandbox runs resource scripts in an image on this host, and was given ${image.reference}`);
    const what = `${scriptPath(run.script)} of ${image.description}`;
    if (run.privileged && !this.options.allowPrivileged) {
      throw new WeirError('privileged-not-allowed', `${what} is declared privileged, and this engine does not run privileged containers`, {
        location: image.description,
        hint: 'remove `privileged: true` from the resource type, or start the engine with `weir up --allow-privileged` if you trust every pipeline it runs',
      });
    }
    const user = await resolveImageUser(image.rootfs, image.config.user, what);
    const target = run.dir === undefined ? undefined : run.script === 'out' ? SCRIPT_DIRS.out : SCRIPT_DIRS.in;
    const exit = await runSandboxed({
      rootfs: image.rootfs,
      argv: [scriptPath(run.script), ...(target === undefined ? [] : [target])],
      env: { PATH: DEFAULT_PATH, HOME: user.home, ...image.config.env, ...run.env },
      // `$1` sits inside /tmp as on a Concourse worker, so the scratch goes first.
      mounts: [{ source: run.scratch, target: '/tmp' }, ...(target === undefined || run.dir === undefined ? [] : [{ source: run.dir, target }])],
      cwd: target ?? '/tmp',
      uid: user.uid,
      gid: user.gid,
      network: true,
      allCapabilities: run.privileged,
      stdin: run.request,
      signal: run.signal,
      killGraceMs: KILL_GRACE_MS,
      collectStdout: { maxBytes: MAX_RESPONSE_BYTES },
      onOutput: (_stream, line) => run.onStderr(line),
      logger: this.options.logger,
      ...(this.options.bwrap !== undefined && { bwrap: this.options.bwrap }),
    });
    return { exitStatus: exit.exitStatus, stdout: (exit.stdout ?? Buffer.alloc(0)).toString('utf8') };
  }
}
