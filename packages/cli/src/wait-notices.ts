import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiBuild, ApiExplanation, ApiResource } from './client/api-types.js';
import { buildRoute, jobRoute, pipelineRoute } from './client/routes.js';
import type { WeirClient } from './client/weir-client.js';
import type { CliIo } from './io.js';
import { describeWait } from './render/wait-reason.js';

export interface WaitNoticeTiming {
  /** A build that starts sooner is followed without a word about waiting. */
  firstAfterMs: number;
  everyMs: number;
}

export const WAIT_NOTICE_TIMING: WaitNoticeTiming = { firstAfterMs: 1500, everyMs: 3000 };

/**
 * While a followed build is pending, says on stderr why it waits (the scheduler's explanation of
 * its job), again whenever the reason changes, until `stopped` aborts or the build leaves pending.
 */
export async function reportWhilePending(client: WeirClient, buildId: number, io: CliIo, stopped: AbortSignal, timing: WaitNoticeTiming): Promise<void> {
  let shown = '';
  try {
    await sleep(timing.firstAfterMs, undefined, { signal: stopped });
    for (;;) {
      const build = await client.get<ApiBuild>(buildRoute(buildId));
      if (build.status !== 'pending' || build.pipeline_name === null || build.job_name === null) return;
      const pipeline = { name: build.pipeline_name, instanceVars: build.pipeline_instance_vars ?? {} };
      const [explanation, resources] = await Promise.all([
        client.get<ApiExplanation>(jobRoute({ pipeline, job: build.job_name }, 'explain')),
        client.get<ApiResource[]>(pipelineRoute(pipeline, 'resources')),
      ]);
      const text = describeWait(explanation, resources).join('\n');
      if (stopped.aborted) return;
      if (text !== shown) io.err(`${text}\n`);
      shown = text;
      await sleep(timing.everyMs, undefined, { signal: stopped });
    }
  } catch {
    // Stopped, or a look-up failed: the notice is a courtesy, and following the build's log goes
    // on without it (the log itself reports a lost engine).
  }
}
