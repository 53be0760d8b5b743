import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from './cli-error.js';
import type { ApiBuild } from './client/api-types.js';
import { buildEventStream } from './client/build-event-stream.js';
import { buildRoute } from './client/routes.js';
import type { WeirClient } from './client/weir-client.js';
import type { CliIo } from './io.js';
import { BuildLogFormatter } from './render/build-log.js';
import { exitStatusForBuild, paintBuildStatus } from './render/build-status.js';
import { palette } from './render/palette.js';
import { ProgressLine } from './render/progress-line.js';

export interface FollowBuildOptions {
  timestamps: boolean;
}

/** How often the stream is read again when the engine ends it before the build has an outcome. */
const MAX_FOLLOWS = 25;
const REFOLLOW_DELAY_MS = 200;

/**
 * Prints a build's log as it happens, then its outcome, and returns the exit status for it:
 * 0 succeeded, 1 failed, 2 errored, 3 aborted.
 */
export async function followBuild(client: WeirClient, buildId: number, io: CliIo, options: FollowBuildOptions): Promise<number> {
  const paint = palette(io.color);
  const formatter = new BuildLogFormatter({ timestamps: options.timestamps, paint });
  const progress = io.terminal ? new ProgressLine(io.out, paint) : undefined;
  let lastSeq = 0;
  try {
    for (let follow = 1; ; follow++) {
      for await (const event of buildEventStream(client, buildId, { afterSeq: lastSeq })) {
        lastSeq = event.seq;
        const lines = formatter.format(event);
        if (event.type === 'step-started') progress?.stepStarted(event.origin, formatter.stepLabel(event.origin) ?? event.data.kind, event.at);
        if (event.type === 'step-finished') progress?.stepFinished(event.origin);
        progress?.clear();
        for (const line of lines) (line.stream === 'err' ? io.err : io.out)(`${line.text}\n`);
        progress?.redraw();
      }
      const build = await client.get<ApiBuild>(buildRoute(buildId));
      if (build.status !== 'pending' && build.status !== 'started') {
        progress?.stop();
        io.out(`${paintBuildStatus(build.status, paint)}${build.error ? `: ${build.error}` : ''}\n`);
        return exitStatusForBuild(build.status);
      }
      // The log can end a moment before the build records its outcome.
      if (follow === MAX_FOLLOWS) {
        throw new CliError(`the engine ended the log of build ${buildId}, but the build is still ${build.status}`, `run \`weir watch -b ${buildId}\` again in a moment`);
      }
      await sleep(REFOLLOW_DELAY_MS);
    }
  } finally {
    progress?.stop();
  }
}
