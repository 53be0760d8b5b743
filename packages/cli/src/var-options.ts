import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { VarFlag } from '@weir/engine';
import { CliError } from './cli-error.js';

/** Commander's parser for a repeatable option. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** fly's `-v`, `-y`, `-l` and `-i`, as `validate` and `set-pipeline` take them. */
export interface VarOptions {
  var: string[];
  yamlVar: string[];
  loadVarsFrom: string[];
  instanceVar: string[];
}

export function addVarOptions(command: Command): Command {
  return command
    .addOption(new Option('-v, --var <name=value>', 'set a var to a string (repeatable)').argParser(collect).default([]))
    .addOption(new Option('-y, --yaml-var <name=yaml>', 'set a var to a YAML value (repeatable)').argParser(collect).default([]))
    .addOption(new Option('-l, --load-vars-from <file>', 'load vars from a YAML file (repeatable)').argParser(collect).default([]))
    .addOption(new Option('-i, --instance-var <name=yaml>', 'set an instance var, also visible as a var (repeatable)').argParser(collect).default([]));
}

/** Files first, then -y and -v, so flags on the command line override files. */
export async function varFlags(options: Omit<VarOptions, 'instanceVar'>): Promise<VarFlag[]> {
  const flags: VarFlag[] = [];
  for (const path of options.loadVarsFrom) {
    try {
      flags.push({ kind: 'file', path, text: await readFile(path, 'utf8') });
    } catch (cause) {
      throw new CliError(`cannot read vars file ${path}: ${(cause as Error).message}`, 'check the path given to -l');
    }
  }
  for (const text of options.yamlVar) flags.push({ kind: 'yaml', text });
  for (const text of options.var) flags.push({ kind: 'string', text });
  return flags;
}

/** `-i pr=12` is YAML, like `-y`, and wins over every other var. */
export function instanceVarFlags(options: Pick<VarOptions, 'instanceVar'>): VarFlag[] {
  return options.instanceVar.map((text) => ({ kind: 'yaml', text }));
}
