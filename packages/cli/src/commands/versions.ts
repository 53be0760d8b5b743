import type { Command } from 'commander';
import type { ApiResource, ApiVersion } from '../client/api-types.js';
import { resourceRoute, withQuery } from '../client/routes.js';
import { connect, engineCommand, printJson, type CommandSetup } from '../engine-command.js';
import { parseResourceName } from '../names.js';
import { parseCount } from '../parse-count.js';
import { renderVersionsTable } from '../render/listings.js';
import { palette } from '../render/palette.js';

export function registerVersions(setup: CommandSetup): void {
  engineCommand(setup, 'versions', "list a resource's versions, newest first")
    .aliases(['resource-versions', 'rvs'])
    .requiredOption('-r, --resource <pipeline/resource>', 'the resource: my-app/repo, or my-app/pr:12/repo for an instance')
    .option('-c, --count <n>', 'how many versions to list', '50')
    .option('--json', "print the API's JSON instead of a table", false)
    .action((options: { resource: string; count: string; json: boolean }, command: Command) =>
      setup.run(async () => {
        const resource = parseResourceName(options.resource);
        const client = connect(command, setup.io);
        const versions = await client.get<ApiVersion[]>(withQuery(resourceRoute(resource, 'versions'), { limit: String(parseCount(options.count)) }));
        if (options.json) {
          printJson(setup.io, versions);
          return 0;
        }
        const { pinned_version_id: pinned } = await client.get<ApiResource>(resourceRoute(resource));
        setup.io.out(renderVersionsTable(versions, palette(setup.io.color), pinned));
        return 0;
      }),
    );
}
