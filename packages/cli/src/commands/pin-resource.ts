import type { Command } from 'commander';
import type { ApiResource } from '../client/api-types.js';
import { resourceRoute } from '../client/routes.js';
import { connect, engineCommand, type CommandSetup } from '../engine-command.js';
import { formatPipelineName, parseResourceName } from '../names.js';
import { collect } from '../var-options.js';
import { formatVersionFields, parseVersionFields } from '../version-fields.js';

const RESOURCE_FLAG = ['-r, --resource <pipeline/resource>', 'the resource: my-app/repo, or my-app/pr:12/repo for an instance'] as const;

/** pin-resource and unpin-resource. */
export function registerPinResource(setup: CommandSetup): void {
  engineCommand(setup, 'pin-resource', 'make every build use one version of a resource until it is unpinned')
    .alias('pr')
    .requiredOption(...RESOURCE_FLAG)
    .requiredOption('-v, --version <key:value>', 'the version, by some or all of its fields (repeatable); the newest match is pinned', collect, [])
    .option('-c, --comment <text>', 'why it is pinned, shown with the pin')
    .action((options: { resource: string; version: string[]; comment?: string }, command: Command) =>
      setup.run(async () => {
        const resource = parseResourceName(options.resource);
        const version = parseVersionFields(options.version, '-v');
        const pinned = await connect(command, setup.io).post<ApiResource>(resourceRoute(resource, 'pin'), {
          version,
          ...(options.comment !== undefined && { comment: options.comment }),
        });
        setup.io.out(`pinned ${formatPipelineName(resource.pipeline)}/${resource.resource} to ${formatVersionFields(version)} (version id ${pinned.pinned_version_id})\n`);
        return 0;
      }),
    );

  engineCommand(setup, 'unpin-resource', 'let builds use the newest versions of a pinned resource again')
    .alias('ur')
    .requiredOption(...RESOURCE_FLAG)
    .action((options: { resource: string }, command: Command) =>
      setup.run(async () => {
        const resource = parseResourceName(options.resource);
        await connect(command, setup.io).post<ApiResource>(resourceRoute(resource, 'unpin'));
        setup.io.out(`unpinned ${formatPipelineName(resource.pipeline)}/${resource.resource}\n`);
        return 0;
      }),
    );
}
