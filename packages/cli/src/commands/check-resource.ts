import type { Command } from 'commander';
import type { ApiCheckOutcome } from '../client/api-types.js';
import { resourceRoute } from '../client/routes.js';
import { connect, engineCommand, printJson, type CommandSetup } from '../engine-command.js';
import { formatPipelineName, parseResourceName } from '../names.js';
import { palette } from '../render/palette.js';
import { collect } from '../var-options.js';
import { parseVersionFields } from '../version-fields.js';

export function registerCheckResource(setup: CommandSetup): void {
  engineCommand(setup, 'check-resource', 'check a resource for new versions now; exit 1 if the check fails')
    .alias('cr')
    .requiredOption('-r, --resource <pipeline/resource>', 'the resource: my-app/repo, or my-app/pr:12/repo for an instance')
    .option('-f, --from <key:value>', 'check from this version on instead of the latest (repeatable: one field each)', collect, [])
    .option('--json', "print the API's JSON instead", false)
    .action((options: { resource: string; from: string[]; json: boolean }, command: Command) =>
      setup.run(async () => {
        const resource = parseResourceName(options.resource);
        const from = options.from.length > 0 ? parseVersionFields(options.from, '--from') : undefined;
        const outcome = await connect(command, setup.io).post<ApiCheckOutcome>(resourceRoute(resource, 'check'), from ? { from } : {});
        const name = `${formatPipelineName(resource.pipeline)}/${resource.resource}`;
        const paint = palette(setup.io.color);
        if (options.json) printJson(setup.io, outcome);
        else if (outcome.ok) setup.io.out(`checked ${name}: ${paint.green(outcome.new_versions === 0 ? 'no new versions' : `${outcome.new_versions} new version(s)`)}\n`);
        else setup.io.err(`${paint.red('check failed')} for ${name}: ${outcome.error ?? 'the engine gave no reason'}\n`);
        return outcome.ok ? 0 : 1;
      }),
    );
}
