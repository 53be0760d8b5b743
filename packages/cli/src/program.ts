import { readFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import type { VarFlag } from '@weir/engine';
import { formatCommand } from './commands/format.js';
import { validateCommand } from './commands/validate.js';
import type { CliIo } from './io.js';
import { WEIR_VERSION } from './version.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

interface VarOptions {
  var: string[];
  yamlVar: string[];
  loadVarsFrom: string[];
  instanceVar: string[];
}

function addVarOptions(command: Command): Command {
  return command
    .addOption(new Option('-v, --var <name=value>', 'set a var to a string (repeatable)').argParser(collect).default([]))
    .addOption(new Option('-y, --yaml-var <name=yaml>', 'set a var to a YAML value (repeatable)').argParser(collect).default([]))
    .addOption(new Option('-l, --load-vars-from <file>', 'load vars from a YAML file (repeatable)').argParser(collect).default([]))
    .addOption(new Option('-i, --instance-var <name=yaml>', 'set an instance var, also visible as a var (repeatable)').argParser(collect).default([]));
}

/** Files first, then -y, -v and instance vars, so flags on the command line override files. */
async function varFlags(options: VarOptions): Promise<VarFlag[]> {
  const flags: VarFlag[] = [];
  for (const path of options.loadVarsFrom) {
    try {
      flags.push({ kind: 'file', path, text: await readFile(path, 'utf8') });
    } catch (cause) {
      throw new CommanderError(1, 'weir.vars-file', `error: cannot read vars file ${path}: ${(cause as Error).message}`);
    }
  }
  for (const text of options.yamlVar) flags.push({ kind: 'yaml', text });
  for (const text of options.var) flags.push({ kind: 'string', text });
  for (const text of options.instanceVar) flags.push({ kind: 'yaml', text });
  return flags;
}

/** Runs the weir command line and returns its exit status; never calls process.exit itself. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let status = 0;
  const program = new Command()
    .name('weir')
    .description('A Concourse-style workflow engine: pipelines as code, one command to start.')
    .version(WEIR_VERSION, '--version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run weir help for usage)');

  addVarOptions(
    program
      .command('validate')
      .description('check pipeline (or, with --task, task config) files and print every problem with its location')
      .argument('<file...>', 'YAML files to check')
      .option('--strict', 'fail on warnings too (unknown top-level keys, identifier style, ...)', false)
      .option('--json', 'print a JSON report instead of compiler-style messages', false)
      .option('--task', 'the files are task configs, not pipelines', false),
  ).action(async (files: string[], options: VarOptions & { strict: boolean; json: boolean; task: boolean }) => {
    status = await validateCommand(files, { strict: options.strict, json: options.json, task: options.task, varFlags: await varFlags(options) }, io);
  });

  program
    .command('format')
    .description('rewrite pipeline or task files with keys in a canonical order, keeping comments')
    .argument('<file...>', 'YAML files to format')
    .option('-w, --write', 'replace the files instead of printing the result', false)
    .option('--check', 'print nothing; exit 1 if any file is not formatted', false)
    .action(async (files: string[], options: { write: boolean; check: boolean }) => {
      status = await formatCommand(files, options, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (cause) {
    if (cause instanceof CommanderError) {
      if (cause.code.startsWith('weir.')) io.err(`${cause.message}\n`);
      return cause.exitCode;
    }
    throw cause;
  }
  return status;
}
