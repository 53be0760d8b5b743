import { readdir, readFile } from 'node:fs/promises';

/**
 * The variable that marks a simulated container's processes (and what exec starts in it), as a
 * cgroup marks a real container's: each process keeps it, so the kubelet finds them in /proc.
 */
export const CONTAINER_MARKER = 'WEIR_SIMULATED_CONTAINER';

const POLL_MS = 50;

/**
 * A container's memory limit, enforced as the kernel's OOM killer enforces a cgroup's: the
 * resident memory of every process carrying `marker` is summed every 50 ms, and when the sum
 * passes `limitBytes` all of them are killed with SIGKILL and `onKilled` is called once. A
 * sample can miss a spike shorter than the interval, so a test's container holds what it
 * allocates (e.g. `x=$(head -c 64000000 /dev/zero | tr '\0' a); sleep 60`).
 */
export function enforceMemoryLimit(marker: string, limitBytes: number, onKilled: (usedBytes: number) => void): { stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const sample = async (): Promise<void> => {
    const pids = await markedProcesses(marker);
    const used = (await Promise.all(pids.map(residentBytes))).reduce((sum, bytes) => sum + bytes, 0);
    if (stopped) return;
    if (used > limitBytes) {
      stopped = true;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
      onKilled(used);
      return;
    }
    timer = setTimeout(() => void sample(), POLL_MS);
  };
  timer = setTimeout(() => void sample(), POLL_MS);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

async function markedProcesses(marker: string): Promise<number[]> {
  const wanted = `${CONTAINER_MARKER}=${marker}`;
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'latin1').catch(() => '');
    if (environ.split('\0').includes(wanted)) found.push(Number(entry));
  }
  return found;
}

async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'latin1').catch(() => '');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return kib === undefined ? 0 : Number(kib) * 1024;
}
