import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { weir } from './support/run-weir.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weir-up-'));
  dirs.push(dir);
  return dir;
}

// A start that cannot work ends at once with what went wrong and what to do, never a stack trace.
describe('weir up refuses bad input', () => {
  it('a --pipelines directory that does not exist', async () => {
    const run = await weir(['up', '--data', tempDir(), '--port', '0', '--log-level', 'silent', '--pipelines', join(tempDir(), 'missing')]);
    expect(run.status).toBe(1);
    expect(run.err).toMatch(/^error: cannot read the pipelines directory .*missing: ENOENT\n  hint: pass an existing directory to --pipelines\n$/);
  });

  it('a data directory that cannot be created', async () => {
    const run = await weir(['up', '--data', '/etc/passwd/weir', '--port', '0', '--log-level', 'silent']);
    expect(run.status).toBe(1);
    expect(run.err).toMatch(/^error: cannot create the data directory \/etc\/passwd\/weir: ENOTDIR.*\n  hint: choose a directory you can write to with --data\n$/);
  });

  it('a port another program listens on', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const run = await weir(['up', '--data', tempDir(), '--port', String(port), '--log-level', 'silent']);
      expect(run.status).toBe(1);
      expect(run.err).toMatch(/error: cannot serve the API on 127\.0\.0\.1:\d+: .*EADDRINUSE[\s\S]*hint: another program uses that port; choose another with --port/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a port that is not a number', async () => {
    const run = await weir(['up', '--data', tempDir(), '--port', 'http']);
    expect(run.status).toBe(1);
    expect(run.err).toContain('--port http is not a port number');
  });

  it('a resource type mirror that is not a registry, from the flag or the environment', async () => {
    const run = await weir(['up', '--data', tempDir(), '--port', '0', '--log-level', 'silent', '--resource-type-mirror', 'ftp://mirror']);
    expect(run.status).toBe(1);
    expect(run.err).toMatch(/^error: "ftp:\/\/mirror" is not a registry to mirror resource type images from\n  hint: give a registry host/);
    const fromEnv = await weir(['up', '--data', tempDir(), '--port', '0', '--log-level', 'silent'], { env: { WEIR_RESOURCE_TYPE_MIRROR: 'a b' } });
    expect(fromEnv.status).toBe(1);
    expect(fromEnv.err).toContain('"a b" is not a registry');
  });

  it('an image cache size that is not a size', async () => {
    const run = await weir(['up', '--data', tempDir(), '--port', '0', '--log-level', 'silent', '--image-cache-size', 'ten gigs']);
    expect(run.status).toBe(1);
    expect(run.err).toMatch(/^error: --image-cache-size ten gigs is not a size\n  hint: give a size greater than 0/);
  });

  it('a bound on running builds that is not a count', async () => {
    const run = await weir(['up', '--data', tempDir(), '--port', '0', '--log-level', 'silent', '--max-running-builds', '0']);
    expect(run.status).toBe(1);
    expect(run.err).toContain('--max-running-builds 0 is not a count');
  });

  it('a build log retention that is not a count', async () => {
    const run = await weir(['up', '--data', tempDir(), '--port', '0', '--log-level', 'silent', '--max-build-logs-to-retain', '-5']);
    expect(run.status).toBe(1);
    expect(run.err).toContain('--max-build-logs-to-retain -5 is not a count');
  });
});
