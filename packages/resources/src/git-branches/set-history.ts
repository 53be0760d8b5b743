import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BranchHead } from './branch-set.js';

/** One set of branches a check saw, by its version's digest. */
export interface SeenSet {
  digest: string;
  heads: BranchHead[];
  /** What changed from the set seen before it. */
  change: string;
  seenAt: string;
}

/** Enough sets for any version a build may still get, without growing forever. */
const SETS_KEPT = 200;

/**
 * The sets of branches checks saw, in the history's cache directory: a version names its set by
 * digest only, and a get writes the set's branches from here.
 */
export class BranchSetHistory {
  private readonly file: string;

  constructor(private readonly dir: string) {
    this.file = join(dir, 'branch-sets.json');
  }

  async all(): Promise<SeenSet[]> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as { sets?: unknown };
      return Array.isArray(parsed.sets) ? (parsed.sets as SeenSet[]) : [];
    } catch (error) {
      // A missing or torn file is an empty memory: the next check writes it again.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError) return [];
      throw error;
    }
  }

  async latest(): Promise<SeenSet | undefined> {
    return (await this.all()).at(-1);
  }

  /** The set of a version: seen at `seenAt` if it is still remembered, else its latest sighting. */
  async find(digest: string, seenAt: string): Promise<SeenSet | undefined> {
    const sets = (await this.all()).filter((set) => set.digest === digest);
    return sets.find((set) => set.seenAt === seenAt) ?? sets.at(-1);
  }

  /** Keeps `set` as the newest, unless it already is. */
  async record(set: SeenSet): Promise<void> {
    const sets = await this.all();
    if (sets.at(-1)?.digest === set.digest && sets.at(-1)?.seenAt === set.seenAt) return;
    await mkdir(this.dir, { recursive: true });
    const temporary = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temporary, `${JSON.stringify({ sets: [...sets, set].slice(-SETS_KEPT) })}\n`);
    // A rename, so a get reading at the same time sees the old file or the new one, never half of one.
    await rename(temporary, this.file);
  }
}
