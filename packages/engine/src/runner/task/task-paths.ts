import { posix } from 'node:path';
import { WeirError } from '../../errors.js';

/**
 * A path from a task config, normalised (`./src/` → `src`, `a/../b` → `b`), or a
 * `task-path-outside` error when it is absolute or climbs out with `..`. `.` is allowed: an input
 * or output at `.` is the working directory itself, as in Concourse.
 */
export function pathInsideWorkDir(path: string, what: string, location: string): string {
  const normalised = posix.normalize(path).replace(/(.)\/+$/, '$1');
  if (posix.isAbsolute(normalised) || normalised === '..' || normalised.startsWith('../')) {
    throw new WeirError('task-path-outside', `${what} is "${path}", which is outside the task's working directory`, {
      location,
      hint: 'tasks run on this host in a working directory of their own: give a path relative to it, without ".." leading out',
    });
  }
  return normalised;
}

/**
 * Which mount took which path, to refuse two on the same one. Mounts of one kind compete with
 * each other; an input and an output may share a path (the output is then the task's changed
 * copy of the input, a common Concourse pattern), but a cache shares its path with nothing.
 */
export class PathClaims {
  private readonly owners = new Map<string, string>();

  constructor(private readonly location: string) {}

  claim(path: string, kind: 'input' | 'output' | 'cache', owner: string): void {
    const previous = this.owners.get(`${kind} ${path}`) ?? (kind === 'cache' ? this.anyAt(path) : this.owners.get(`cache ${path}`));
    if (previous !== undefined) {
      throw new WeirError('task-path-conflict', `${owner} and ${previous} are both at "${path}"`, {
        location: this.location,
        hint: 'give one of them another `path`',
      });
    }
    this.owners.set(`${kind} ${path}`, owner);
  }

  private anyAt(path: string): string | undefined {
    return this.owners.get(`input ${path}`) ?? this.owners.get(`output ${path}`) ?? this.owners.get(`cache ${path}`);
  }
}
