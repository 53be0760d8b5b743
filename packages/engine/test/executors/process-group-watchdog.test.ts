import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('./fixtures/watched-groups.ts', import.meta.url));

/** Host pids of processes whose whole command line is `command`. */
function processesRunning(command: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() === command) found.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}

async function waitFor(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(process.platform !== 'linux')('the process group watchdog', () => {
  it('kills the watched groups when the engine process dies by SIGKILL, one whose leader is gone included, and leaves a released one alone', async () => {
    const kept = 'sleep 4141';
    const released = 'sleep 4142';
    const orphaned = 'sleep 4143';
    const engine = spawn(process.execPath, ['--import', 'tsx', FIXTURE, '4141', '4142', '4143'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(engine.stdout!, 'data')) as [Buffer];
    const [releasedGroup, orphanedLeader] = line.toString().trim().split(' ').map(Number) as [number, number];
    try {
      await waitFor(() => [kept, released, orphaned].every((command) => processesRunning(command).length === 2), 'the three groups to run');
      expect(existsSync(`/proc/${orphanedLeader}`)).toBe(false);
      engine.kill('SIGKILL');
      await waitFor(() => processesRunning(kept).length === 0 && processesRunning(orphaned).length === 0, 'the watched groups to be killed');
      expect(processesRunning(released)).toHaveLength(2);
    } finally {
      engine.kill('SIGKILL');
      for (const group of [releasedGroup, orphanedLeader]) {
        try {
          process.kill(-group, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
  });
});
