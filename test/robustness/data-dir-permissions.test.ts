import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, Engine, ensureApiToken } from '@weir/engine';
import { implementedResourceTypes } from '@weir/resources';

/**
 * Probe 4 of the hardening issue: the data directory holds var values and the API token, so no
 * other local user may read it, whatever the umask was and whatever an older weir left behind.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function parentDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weir-perm-'));
  dirs.push(dir);
  return dir;
}

function mode(path: string): string {
  return `0${(statSync(path).mode & 0o777).toString(8)}`;
}

async function startAndStop(dataDir: string, lines: string[] = []): Promise<void> {
  const logger = createLogger({ level: 'warn', destination: { write: (line: string) => lines.push(line) } });
  const engine = Engine.open({ dataDir, resourceTypes: implementedResourceTypes(), logger });
  await ensureApiToken(engine.dataDir);
  engine.setPipeline({ name: 'p', text: 'jobs: [{name: j, plan: [{task: t, config: {platform: linux, run: {path: "true"}}}]}]\n' });
  await engine.stop();
}

describe('the data directory', () => {
  it('is created 0700 with every file in it 0600, even under a permissive umask', async () => {
    const dataDir = join(parentDir(), '.weir');
    const umask = process.umask(0o002);
    try {
      await startAndStop(dataDir);
    } finally {
      process.umask(umask);
    }
    expect(mode(dataDir)).toBe('0700');
    const files = readdirSync(dataDir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
    expect(files).toEqual(expect.arrayContaining(['weir.db', 'token', 'engine.lock']));
    for (const file of files) expect(`${file} ${mode(join(dataDir, file))}`).toBe(`${file} 0600`);
  });

  it('left readable by others is made private at start, and the log says which paths changed', async () => {
    const dataDir = join(parentDir(), '.weir');
    await startAndStop(dataDir);
    chmodSync(dataDir, 0o755);
    for (const file of ['weir.db', 'token']) chmodSync(join(dataDir, file), 0o644);

    const lines: string[] = [];
    await startAndStop(dataDir, lines);

    expect(mode(dataDir)).toBe('0700');
    expect(mode(join(dataDir, 'weir.db'))).toBe('0600');
    expect(mode(join(dataDir, 'token'))).toBe('0600');
    const fixed = lines.map((line) => JSON.parse(line) as { path?: string; from?: string; to?: string; msg: string }).filter((l) => l.path !== undefined);
    expect(fixed.map((l) => [l.path, l.from, l.to])).toEqual(
      expect.arrayContaining([
        [dataDir, '0755', '0700'],
        [join(dataDir, 'weir.db'), '0644', '0600'],
        [join(dataDir, 'token'), '0644', '0600'],
      ]),
    );
    expect(fixed[0]!.msg).toMatch(/other users could read/);
  });
});
