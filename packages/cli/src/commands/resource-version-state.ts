import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import type { ApiVersion } from '../client/api-types.js';
import { resourceRoute, withQuery } from '../client/routes.js';
import type { WeirClient } from '../client/weir-client.js';
import { connect, engineCommand, type CommandSetup } from '../engine-command.js';
import { formatPipelineName, parseResourceName, type ResourceName } from '../names.js';
import { collect } from '../var-options.js';
import { formatVersionFields, parseVersionFields, versionMatches, type VersionFields } from '../version-fields.js';

/** How far back the version to enable or disable is looked for (the most the API lists). */
const VERSIONS_SEARCHED = 1000;

/** enable-resource-version and disable-resource-version. */
export function registerResourceVersionState(setup: CommandSetup): void {
  for (const [name, alias, action, past, description] of [
    ['enable-resource-version', 'erv', 'enable', 'enabled', 'let builds use a version of a resource again'],
    ['disable-resource-version', 'drv', 'disable', 'disabled', 'keep builds from using a version of a resource'],
  ] as const) {
    engineCommand(setup, name, description)
      .alias(alias)
      .requiredOption('-r, --resource <pipeline/resource>', 'the resource: my-app/repo, or my-app/pr:12/repo for an instance')
      .requiredOption('-v, --version <key:value>', 'the version, by enough of its fields to tell it apart (repeatable)', collect, [])
      .action((options: { resource: string; version: string[] }, command: Command) =>
        setup.run(async () => {
          const resource = parseResourceName(options.resource);
          const client = connect(command, setup.io);
          const version = await findVersion(client, resource, parseVersionFields(options.version, '-v'));
          await client.post<ApiVersion>(resourceRoute(resource, 'versions', String(version.id), action));
          setup.io.out(`${past} version ${formatVersionFields(version.version)} (id ${version.id}) of ${formatPipelineName(resource.pipeline)}/${resource.resource}\n`);
          return 0;
        }),
      );
  }
}

async function findVersion(client: WeirClient, resource: ResourceName, fields: VersionFields): Promise<ApiVersion> {
  const versions = await client.get<ApiVersion[]>(withQuery(resourceRoute(resource, 'versions'), { limit: String(VERSIONS_SEARCHED) }));
  const matches = versions.filter((v) => versionMatches(v.version, fields));
  const name = `${formatPipelineName(resource.pipeline)}/${resource.resource}`;
  const listHint = `list them with \`weir versions -r ${name}\``;
  if (matches.length === 0) throw new CliError(`${name} has no version matching ${formatVersionFields(fields)}`, listHint);
  if (matches.length > 1) {
    throw new CliError(
      `${matches.length} versions of ${name} match ${formatVersionFields(fields)}: ${matches.slice(0, 3).map((m) => formatVersionFields(m.version)).join('; ')}${matches.length > 3 ? '; ...' : ''}`,
      `give more fields with -v to tell them apart; ${listHint}`,
    );
  }
  return matches[0] as ApiVersion;
}
