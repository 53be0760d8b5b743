import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { watchProcessGroup } from '../../src/executors/local/process-group-watchdog.js';
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

  it('sends a release along with the next registration: one pipe write per task', async () => {
    const start = () => spawn('/bin/sh', ['-c', 'sleep 30'], { detached: true, stdio: 'ignore' });
    const first = start();
    const second = start();
    const writes = vi.spyOn(Socket.prototype, 'write');
    try {
      watchProcessGroup(first.pid)();
      watchProcessGroup(second.pid)();
      await new Promise((resolve) => setImmediate(resolve));
      expect(writes.mock.calls.map(([data]) => String(data))).toEqual([
        `+ ${first.pid} ${startTime(first.pid!)}\n`,
        `- ${first.pid}\n+ ${second.pid} ${startTime(second.pid!)}\n`,
        `- ${second.pid}\n`,
      ]);
    } finally {
      writes.mockRestore();
      for (const child of [first, second]) process.kill(-child.pid!, 'SIGKILL');
    }
  });
});

function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}
