import { rename, rm, stat, writeFile } from 'node:fs/promises';
import type { Problem } from '@weir/engine/pipeline-config';
import type { CommandSetup } from '../engine-command.js';
import type { CliIo } from '../io.js';
import { readInput } from '../read-input.js';

export interface FormatOptions {
  write: boolean;
  check: boolean;
}

export function registerFormat(setup: CommandSetup): void {
  setup.program
    .command('format')
    .description('rewrite pipeline or task files with keys in a canonical order, keeping comments')
    .argument('<file...>', 'YAML files to format')
    .option('-w, --write', 'replace the files instead of printing the result', false)
    .option('--check', 'print nothing; exit 1 if any file is not formatted', false)
    .action((files: string[], options: FormatOptions) => setup.run(() => formatCommand(files, options, setup.io)));
}

/**
 * `weir format`: prints the formatted file, or with --write replaces it (atomically, so an
 * interrupted write never leaves half a pipeline); --check exits 1 if a file is not formatted.
 */
export async function formatCommand(files: string[], options: FormatOptions, io: CliIo): Promise<number> {
  const { formatConfig, renderProblem } = await import('@weir/engine/pipeline-config');
  let status = 0;
  for (const file of files) {
    const input = await readInput(file);
    if ('problem' in input) {
      io.err(`${renderProblem(input.problem, undefined, { color: io.color })}\n`);
      status = 1;
      continue;
    }
    const result = formatConfig(input.text);
    if (result.text === undefined) {
      for (const p of result.problems) io.err(`${renderProblem({ ...p, file }, input.text, { color: io.color })}\n`);
      status = 1;
      continue;
    }
    const changed = result.text !== input.text;
    if (options.check) {
      if (changed) {
        io.out(`${file}: not formatted\n`);
        status = 1;
      }
    } else if (options.write) {
      if (changed) {
        const failure = await replaceFile(file, result.text);
        if (failure) {
          io.err(`${renderProblem(failure, undefined, { color: io.color })}\n`);
          status = 1;
        } else {
          io.out(`${file}: formatted\n`);
        }
      }
    } else {
      io.out(result.text);
    }
  }
  return status;
}

/** Writes beside the file and renames over it; on failure the original is untouched. */
async function replaceFile(file: string, text: string): Promise<Problem | undefined> {
  const temp = `${file}.weir-format.tmp`;
  try {
    await writeFile(temp, text, { mode: (await statMode(file)) ?? 0o644 });
    await rename(temp, file);
    return undefined;
  } catch (cause) {
    await rm(temp, { force: true }).catch(() => undefined);
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    return {
      severity: 'error',
      code: 'file-unwritable',
      message: `cannot write ${file} (${reason}); the file was left as it was`,
      path: [],
      file,
      hint: `check that the folder is writable and that nothing is in the way at ${temp}`,
    };
  }
}

async function statMode(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mode & 0o777;
  } catch {
    return undefined;
  }
}
