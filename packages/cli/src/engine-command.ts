import type { Command } from 'commander';
import { DEFAULT_ENGINE_URL, resolveConnection, type ConnectionOptions } from './client/connection.js';
import { WeirClient } from './client/weir-client.js';
import type { CliIo } from './io.js';

/** Runs a command's action and records its exit status; set up by `runCli`. */
export type RunAction = (action: () => Promise<number>) => Promise<void>;

/** What every engine command registers with: the parent command, the io and the runner. */
export interface CommandSetup {
  program: Command;
  io: CliIo;
  run: RunAction;
  /** Commands that get `--url` and `--data` once their own options are in, so help lists those first. */
  engineCommands: Command[];
}

/** `--url` and `--data`, taken by `weir` itself (before the command) and by every command that talks to an engine. */
export function addEngineOptions(command: Command): Command {
  return command
    .option('--url <url>', `the engine's URL (default: WEIR_URL, else ${DEFAULT_ENGINE_URL})`)
    .option('--data <dir>', "the engine's data directory, where its token is (default: WEIR_DATA, else ./.weir)");
}

export function engineCommand(setup: CommandSetup, name: string, description: string): Command {
  const command = setup.program.command(name).description(description);
  setup.engineCommands.push(command);
  return command;
}

/** The command's own `--url`/`--data` win over those given before it (to `weir secrets`, to `weir`). */
export function connect(command: Command, io: CliIo): WeirClient {
  let url: string | undefined;
  let data: string | undefined;
  for (let at: Command | null = command; at; at = at.parent) {
    const given = at.opts<ConnectionOptions>();
    url ??= given.url;
    data ??= given.data;
  }
  const options: ConnectionOptions = {};
  if (url !== undefined) options.url = url;
  if (data !== undefined) options.data = data;
  return new WeirClient(resolveConnection(options, io.env ?? process.env));
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}
