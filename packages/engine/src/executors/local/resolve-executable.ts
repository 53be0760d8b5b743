import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { WeirError } from '../../errors.js';

type Candidate = 'executable' | 'not-executable' | 'missing';

/**
 * What to start for `run.path`, found as a shell finds it: a path with a `/` is taken relative to
 * the task's directory (as in Concourse) and returned as written, so a script's `$0` is what the
 * task config says; a bare name is looked up in the task's PATH and returned as the file found.
 * Checking here rather than reading spawn's errors tells a missing program from one without the
 * execute bit.
 */
export async function resolveExecutable(command: string, cwd: string, searchPath: string | undefined): Promise<string> {
  if (command.includes('/')) {
    const file = resolve(cwd, command);
    const found = await inspect(file);
    if (found === 'executable') return command;
    throw found === 'missing'
      ? new WeirError('task-executable-not-found', `run.path "${command}" does not exist (looked for ${file})`, {
          hint: 'a relative run.path is taken from the task\'s directory (run.dir if set): check that the input holding the program is listed under inputs and has the file at that path',
        })
      : notExecutable(command, file);
  }

  let withoutExecuteBit: string | undefined;
  for (const dir of (searchPath ?? '').split(':')) {
    // An empty PATH entry means the current directory, as in POSIX shells.
    const file = resolve(cwd, dir, command);
    const found = await inspect(file);
    if (found === 'executable') return file;
    if (found === 'not-executable') withoutExecuteBit ??= file;
  }
  if (withoutExecuteBit !== undefined) throw notExecutable(command, withoutExecuteBit);
  throw new WeirError('task-executable-not-found', `run.path "${command}" is not a file in any directory of the task's PATH`, {
    hint:
      searchPath === undefined
        ? 'the task has no PATH variable: give run.path as a path (e.g. /bin/sh), or set PATH in params'
        : `install ${command} on this host (tasks run on the host, not in the task's image), or give run.path as a path to the program`,
  });
}

async function inspect(file: string): Promise<Candidate> {
  try {
    if (!(await stat(file)).isFile()) return 'not-executable';
  } catch {
    return 'missing';
  }
  try {
    await access(file, constants.X_OK);
    return 'executable';
  } catch {
    return 'not-executable';
  }
}

function notExecutable(command: string, file: string): WeirError {
  return new WeirError('task-not-executable', `run.path "${command}" is ${file}, which is not an executable file`, {
    hint: 'make it executable (chmod +x, and commit the mode), or run it through its interpreter: path: sh, args: [the-script]',
  });
}
