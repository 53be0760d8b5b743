import type { ApiBuild } from './client/api-types.js';
import { buildEventStream } from './client/build-event-stream.js';
import { buildRoute } from './client/routes.js';
import type { WeirClient } from './client/weir-client.js';
import type { CliIo } from './io.js';
import { BuildLogFormatter } from './render/build-log.js';
import { exitStatusForBuild, paintBuildStatus } from './render/build-status.js';
import { palette } from './render/palette.js';
import { ProgressLine } from './render/progress-line.js';
import { reportWhilePending, WAIT_NOTICE_TIMING, type WaitNoticeTiming } from './wait-notices.js';

export interface FollowBuildOptions {
  timestamps: boolean;
  /** When to say why a pending build waits; WAIT_NOTICE_TIMING unless a test says otherwise. */
  waitNotices?: WaitNoticeTiming;
}

/**
 * Prints a build's log as it happens, then its outcome, and returns the exit status for it:
 * 0 succeeded, 1 failed, 2 errored, 3 aborted.
 */
export async function followBuild(client: WeirClient, buildId: number, io: CliIo, options: FollowBuildOptions): Promise<number> {
  const paint = palette(io.color);
  const formatter = new BuildLogFormatter({ timestamps: options.timestamps, paint });
  const progress = io.terminal ? new ProgressLine(io.out, paint) : undefined;
  // A pending build's stream is silent until it starts: meanwhile, say why it waits.
  const started = new AbortController();
  const notices = reportWhilePending(client, buildId, io, started.signal, options.waitNotices ?? WAIT_NOTICE_TIMING);
  try {
    for await (const event of buildEventStream(client, buildId)) {
      started.abort();
      const lines = formatter.format(event);
      if (event.type === 'step-started') progress?.stepStarted(event.origin, formatter.stepLabel(event.origin) ?? event.data.kind, event.at);
      if (event.type === 'step-finished') progress?.stepFinished(event.origin);
      progress?.clear();
      for (const line of lines) (line.stream === 'err' ? io.err : io.out)(`${line.text}\n`);
      progress?.redraw();
    }
    // The engine ends the log only once the build's outcome is committed.
    const build = await client.get<ApiBuild>(buildRoute(buildId));
    const exitStatus = exitStatusForBuild(build.status);
    progress?.stop();
    io.out(`${paintBuildStatus(build.status, paint)}${build.error ? `: ${build.error}` : ''}\n`);
    return exitStatus;
  } finally {
    started.abort();
    await notices;
    progress?.stop();
  }
}
