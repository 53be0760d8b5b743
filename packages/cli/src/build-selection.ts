import { CliError } from './cli-error.js';
import type { ApiBuild, ApiJob } from './client/api-types.js';
import { buildRoute, jobRoute, withQuery } from './client/routes.js';
import type { WeirClient } from './client/weir-client.js';
import { formatPipelineName, parseJobName } from './names.js';

/** As fly takes a build: `-b ID`, or `-j pipeline/job -b NAME`, or `-j pipeline/job` for its latest build. */
export interface BuildSelection {
  job?: string;
  build?: string;
}

/** How far back `-j ... -b NAME` looks for the build. */
const BUILDS_SEARCHED = 500;

export async function selectBuild(client: WeirClient, selection: BuildSelection, command: string): Promise<ApiBuild> {
  if (selection.job === undefined) {
    if (selection.build === undefined) {
      throw new CliError(`${command} needs a build`, `name it with -b ID (as \`weir builds\` lists them), or with -j pipeline/job for the job's latest build`);
    }
    return client.get<ApiBuild>(buildRoute(parseBuildId(selection.build)));
  }
  const job = parseJobName(selection.job);
  const label = `${formatPipelineName(job.pipeline)}/${job.job}`;
  if (selection.build === undefined) {
    const found = await client.get<ApiJob>(jobRoute(job));
    const latest = found.next_build ?? found.finished_build;
    if (!latest) throw new CliError(`job ${label} has no builds yet`, `start one with \`weir trigger-job -j ${label}\``);
    return latest;
  }
  const builds = await client.get<ApiBuild[]>(withQuery(jobRoute(job, 'builds'), { limit: String(BUILDS_SEARCHED) }));
  const build = builds.find((b) => b.name === selection.build);
  if (!build) {
    throw new CliError(`job ${label} has no build named ${JSON.stringify(selection.build)} among its last ${BUILDS_SEARCHED}`, `list them with \`weir builds -j ${label}\`; with -j, -b takes the build's name (3, or 3.1 for a rerun)`);
  }
  return build;
}

export function parseBuildId(text: string): number {
  if (!/^[1-9][0-9]*$/.test(text)) {
    throw new CliError(`-b ${JSON.stringify(text)} is not a build id`, 'a build id is a whole number, as `weir builds` lists them; to name a build of a job by its name, add -j pipeline/job');
  }
  return Number(text);
}

/** `my-app/pr:12/build #3`, or `build 17` for a build outside any job. */
export function describeBuild(build: ApiBuild): string {
  if (build.pipeline_name === null || build.job_name === null) return `build ${build.id}`;
  return `${formatPipelineName({ name: build.pipeline_name, instanceVars: build.pipeline_instance_vars ?? {} })}/${build.job_name} #${build.name}`;
}
