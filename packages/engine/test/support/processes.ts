import { readdirSync, readFileSync } from 'node:fs';

/**
 * Host pids of processes whose command line (arguments joined by spaces) holds `mark`, or is
 * `mark` with `exact`. The test runner's own processes, whose arguments may hold it, are left out.
 */
export function processesWith(mark: string, options: { exact?: boolean } = {}): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const matches = options.exact ? cmdline.trim() === mark : cmdline.includes(mark) && !cmdline.includes('vitest');
      if (matches) found.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}

/** Polls `condition` every 50 ms until it holds; throws naming `what` after `ms`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
