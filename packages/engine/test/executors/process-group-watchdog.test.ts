import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { processesWith, waitFor } from '../support/processes.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/watched-groups.ts', import.meta.url));

describe.skipIf(process.platform !== 'linux')('the process group watchdog', () => {
  it('kills the watched groups when the engine process dies by SIGKILL, one whose leader is gone included, and leaves a released one alone', async () => {
    const kept = 'sleep 4141';
    const released = 'sleep 4142';
    const orphaned = 'sleep 4143';
    const engine = spawn(process.execPath, ['--import', 'tsx', FIXTURE, '4141', '4142', '4143'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(engine.stdout!, 'data')) as [Buffer];
    const [releasedGroup, orphanedLeader] = line.toString().trim().split(' ').map(Number) as [number, number];
    try {
      await waitFor(() => [kept, released, orphaned].every((command) => processesWith(command, { exact: true }).length === 2), 'the three groups to run');
      expect(existsSync(`/proc/${orphanedLeader}`)).toBe(false);
      engine.kill('SIGKILL');
      await waitFor(() => processesWith(kept, { exact: true }).length === 0 && processesWith(orphaned, { exact: true }).length === 0, 'the watched groups to be killed');
      expect(processesWith(released, { exact: true })).toHaveLength(2);
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
