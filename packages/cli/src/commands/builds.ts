import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import type { ApiBuild, ApiJob } from '../client/api-types.js';
import { jobRoute, pipelineRoute, route, withQuery } from '../client/routes.js';
import type { WeirClient } from '../client/weir-client.js';
import { connect, engineCommand, printJson, type CommandSetup } from '../engine-command.js';
import { parseJobName, parsePipelineName } from '../names.js';
import { parseCount } from '../parse-count.js';
import { renderBuildsTable } from '../render/listings.js';
import { palette } from '../render/palette.js';

interface BuildsOptions {
  job?: string;
  pipeline?: string;
  count: string;
  json: boolean;
}

export function registerBuilds(setup: CommandSetup): void {
  engineCommand(setup, 'builds', 'list builds, newest first: of a job, of a pipeline, or of every pipeline')
    .alias('bs')
    .option('-j, --job <pipeline/job>', "only this job's builds")
    .option('-p, --pipeline <name>', "only this pipeline's builds")
    .option('-c, --count <n>', 'how many builds to list', '50')
    .option('--json', "print the API's JSON instead of a table", false)
    .action((options: BuildsOptions, command: Command) =>
      setup.run(async () => {
        const builds = await listBuilds(connect(command, setup.io), options, parseCount(options.count));
        if (options.json) printJson(setup.io, builds);
        else setup.io.out(renderBuildsTable(builds, palette(setup.io.color), Date.now()));
        return 0;
      }),
    );
}

async function listBuilds(client: WeirClient, options: BuildsOptions, count: number): Promise<ApiBuild[]> {
  const limit = { limit: String(count) };
  if (options.job !== undefined) {
    if (options.pipeline !== undefined) throw new CliError('-j and -p both name what to list', '-j pipeline/job already names the pipeline; pass one of them');
    return client.get<ApiBuild[]>(withQuery(jobRoute(parseJobName(options.job), 'builds'), limit));
  }
  if (options.pipeline === undefined) return client.get<ApiBuild[]>(route('/builds', limit));
  // The API lists builds per job; a pipeline's newest are the newest of its jobs' newest.
  const pipeline = parsePipelineName(options.pipeline);
  const jobs = await client.get<ApiJob[]>(pipelineRoute(pipeline, 'jobs'));
  const perJob = await Promise.all(jobs.map((job) => client.get<ApiBuild[]>(withQuery(jobRoute({ pipeline, job: job.name }, 'builds'), limit))));
  return perJob
    .flat()
    .sort((a, b) => b.id - a.id)
    .slice(0, count);
}
