import { mkdirSync, readdirSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A version a put scheduled: its identity, and who asked for it. */
export interface ScheduledVersion {
  due: string;
  id: string;
  after: string;
  scheduledAt: string;
  build?: { pipeline: string; job: string; build: string; url: string };
}

/** How many versions that are already due are kept for check's `from`; older ones are forgotten. */
const KEEP_DUE = 50;

/**
 * The scheduled versions of one history, one file each in `<cacheDir>/scheduled`, named by due
 * time so their order and the next due time can be read from the names alone. One file per
 * put, so two builds scheduling at once do not overwrite each other.
 */
export class Schedule {
  private readonly dir: string;

  constructor(cacheDir: string) {
    this.dir = join(cacheDir, 'scheduled');
  }

  async add(entry: ScheduledVersion): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = join(this.dir, fileName(entry));
    await writeFile(`${file}.tmp`, JSON.stringify(entry));
    // Renamed into place, so a check never reads half a file.
    await rename(`${file}.tmp`, file);
  }

  async all(): Promise<ScheduledVersion[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return Promise.all(names.filter((name) => name.endsWith('.json')).sort().map(async (name) => JSON.parse(await readFile(join(this.dir, name), 'utf8')) as ScheduledVersion));
  }

  /** Forgets due versions beyond the newest `KEEP_DUE`. */
  async prune(now: Date): Promise<void> {
    const due = (await this.all()).filter((entry) => Date.parse(entry.due) <= now.getTime());
    for (const entry of due.slice(0, Math.max(0, due.length - KEEP_DUE))) await rm(join(this.dir, fileName(entry)), { force: true });
  }

  /** The earliest due time after `now`, from file names only: the checker asks this after every check. */
  nextDueAfter(now: Date): Date | undefined {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return undefined;
    }
    const times = names.filter((name) => name.endsWith('.json')).map((name) => Number(name.slice(0, name.indexOf('-')))).filter((time) => Number.isFinite(time) && time > now.getTime());
    return times.length === 0 ? undefined : new Date(Math.min(...times));
  }
}

function fileName(entry: Pick<ScheduledVersion, 'due' | 'id'>): string {
  return `${String(Date.parse(entry.due)).padStart(15, '0')}-${entry.id}.json`;
}

/**
 * The versions check reports: those due by `now`, oldest first; from `from` on when it is
 * still known, else those due after it.
 */
export function dueVersions(entries: ScheduledVersion[], now: Date, from?: { due: string; id: string }): ScheduledVersion[] {
  const due = entries.filter((entry) => Date.parse(entry.due) <= now.getTime()).sort((a, b) => Date.parse(a.due) - Date.parse(b.due) || a.id.localeCompare(b.id));
  if (!from) return due.slice(-1);
  const at = due.findIndex((entry) => entry.id === from.id && entry.due === from.due);
  if (at >= 0) return due.slice(at);
  return due.filter((entry) => Date.parse(entry.due) > Date.parse(from.due));
}
