import { readFile } from 'node:fs/promises';
import type { Problem } from '@weir/engine';

export type InputFile = { file: string; text: string } | { file: string; problem: Problem };

/** Reads a file the user named; a missing or unreadable file becomes a problem, not a crash. */
export async function readInput(file: string): Promise<InputFile> {
  try {
    return { file, text: await readFile(file, 'utf8') };
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String((cause as Error).message);
    return {
      file,
      problem: { severity: 'error', code: 'file-unreadable', message: `cannot read ${file}: ${reason}`, path: [], file, hint: code === 'EISDIR' ? 'name the YAML files inside it, e.g. ci/*.yml' : 'check the path' },
    };
  }
}
