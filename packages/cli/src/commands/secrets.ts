import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse as parseYaml, stringify } from 'yaml';
import { CliError } from '../cli-error.js';
import { route, type Route } from '../client/routes.js';
import { connect, printJson, type CommandSetup } from '../engine-command.js';

interface ScopeOptions {
  pipeline?: string;
  team?: string;
}

interface ApiSecret {
  name: string;
  team: string;
  pipeline: string | null;
  value?: unknown;
  updated_at?: string;
}

const PIPELINE_FLAG = ['-p, --pipeline <name>', 'the secret is this pipeline\'s only (it wins over the team\'s of the same name)'] as const;
const TEAM_FLAG = ['--team <name>', 'the team', 'main'] as const;

/** `weir secrets set|get|list|rm|rotate-key`: the engine's own encrypted store. */
export function registerSecrets(setup: CommandSetup): void {
  const { io } = setup;
  const group = setup.program
    .command('secrets')
    .description("weir's own secret store: values are encrypted at rest, looked up as ((name)) when a build uses them, and redacted from what it prints");
  const sub = (name: string, description: string): Command => {
    const command = group.command(name).description(description);
    setup.engineCommands.push(command);
    return command;
  };

  sub('set', 'store a secret (the value from the argument, --file, or standard input)')
    .argument('<name>', 'the name pipelines refer to it by, ((name))')
    .argument('[value]', 'the value; leave it out to read it from standard input, so it stays out of your shell history')
    .option(...PIPELINE_FLAG)
    .option(...TEAM_FLAG)
    .option('-f, --file <path>', 'read the value from this file (a private key, a kubeconfig)')
    .option('-y, --yaml', 'the value is YAML: a mapping gives fields, ((name.field))', false)
    .action((name: string, given: string | undefined, options: ScopeOptions & { file?: string; yaml: boolean }, command: Command) =>
      setup.run(async () => {
        const text = given ?? (options.file !== undefined ? await readFile(options.file, 'utf8') : await readStdin());
        const value: unknown = options.yaml ? parseValue(text) : options.file === undefined && given === undefined ? text.replace(/\r?\n$/, '') : text;
        await connect(command, io).put(secretRoute(options, name), { value });
        io.out(`stored secret ${describe(options, name)}\n`);
        return 0;
      }),
    );

  sub('get', 'print a secret\'s value')
    .argument('<name>')
    .option(...PIPELINE_FLAG)
    .option(...TEAM_FLAG)
    .option('--json', "print the API's JSON instead", false)
    .action((name: string, options: ScopeOptions & { json: boolean }, command: Command) =>
      setup.run(async () => {
        const secret = await connect(command, io).getWithToken<ApiSecret>(secretRoute(options, name));
        if (options.json) printJson(io, secret);
        else io.out(typeof secret.value === 'string' ? `${secret.value}\n` : stringify(secret.value));
        return 0;
      }),
    );

  sub('list', 'list the names of the team\'s secrets, or with -p those a pipeline sees; never their values')
    .alias('ls')
    .option(...PIPELINE_FLAG)
    .option(...TEAM_FLAG)
    .option('--json', "print the API's JSON instead", false)
    .action((options: ScopeOptions & { json: boolean }, command: Command) =>
      setup.run(async () => {
        const secrets = await connect(command, io).getWithToken<ApiSecret[]>(route('/secrets', scopeQuery(options)));
        if (options.json) printJson(io, secrets);
        else if (secrets.length === 0) io.out('no secrets\n');
        else for (const secret of secrets) io.out(`${secret.pipeline === null ? `${secret.team}/*` : `${secret.team}/${secret.pipeline}`}  ${secret.name}  ${secret.updated_at ?? ''}\n`);
        return 0;
      }),
    );

  sub('rm', 'delete a secret')
    .argument('<name>')
    .option(...PIPELINE_FLAG)
    .option(...TEAM_FLAG)
    .action((name: string, options: ScopeOptions, command: Command) =>
      setup.run(async () => {
        await connect(command, io).delete(secretRoute(options, name));
        io.out(`deleted secret ${describe(options, name)}\n`);
        return 0;
      }),
    );

  sub('rotate-key', 'encrypt every secret with a new key, replacing the key file')
    .action((_options: unknown, command: Command) =>
      setup.run(async () => {
        const answer = await connect(command, io).post<{ resealed: number }>(route('/secrets/rotate-key'));
        io.out(`new key in use; ${answer.resealed} secret(s) re-encrypted\n`);
        return 0;
      }),
    );
}

function scopeQuery(options: ScopeOptions): Record<string, string> {
  return { ...(options.team !== undefined && { team: options.team }), ...(options.pipeline !== undefined && { pipeline: options.pipeline }) };
}

function secretRoute(options: ScopeOptions, name: string): Route {
  return route(`/secrets/${encodeURIComponent(name)}`, scopeQuery(options));
}

function describe(options: ScopeOptions, name: string): string {
  return `${options.team ?? 'main'}/${options.pipeline === undefined ? '' : `${options.pipeline}/`}${name}`;
}

function parseValue(text: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    throw new CliError(`the value is not valid YAML: ${(error as Error).message}`, 'drop -y to store the text as it is');
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('no value given', 'pass it as an argument, with --file, or pipe it to standard input');
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}
