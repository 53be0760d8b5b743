import { chmodSync, existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FAILED_PROBE_STANDS_MS, SandboxExecutor } from '../../../src/executors/sandbox/sandbox-executor.js';
import { probeSandbox } from '../../../src/executors/sandbox/sandbox-support.js';
import { silentLogger } from '../../support/engine.js';

/**
 * A bubblewrap that cannot make a sandbox while `<dir>/failures` holds a count above 0 (each call
 * takes one off), as a host under pressure answers now and then; a count of `always` never runs out.
 */
function flakyBwrap(dir: string): { path: string; fail: (times: number | 'always') => void } {
  const path = join(dir, 'bwrap');
  const failures = join(dir, 'failures');
  writeFileSync(
    path,
    `#!/bin/sh
left=$(cat '${failures}' 2>/dev/null || echo 0)
[ "$left" = always ] && { echo 'bwrap: Creating new namespace failed: Resource temporarily unavailable' >&2; exit 1; }
[ "$left" -gt 0 ] 2>/dev/null || exit 0
echo $((left - 1)) > '${failures}'
echo 'bwrap: Creating new namespace failed: Resource temporarily unavailable' >&2
exit 1
`,
  );
  chmodSync(path, 0o755);
  return { path, fail: (times) => writeFileSync(failures, String(times)) };
}

describe.skipIf(process.platform !== 'linux')('probeSandbox on a busy host', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'weir-sandbox-support-'));
  });
  afterEach(() => {
    if (existsSync(join(dir, 'failures'))) unlinkSync(join(dir, 'failures'));
    vi.useRealTimers();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tries again when a sandbox could not be made, and says the host refuses only when every attempt failed', async () => {
    const bwrap = flakyBwrap(dir);
    bwrap.fail(2);
    expect(await probeSandbox(bwrap.path)).toBeUndefined();

    bwrap.fail('always');
    const refused = await probeSandbox(bwrap.path);
    expect(refused).toMatchObject({ code: 'sandbox-unavailable' });
    expect(refused?.message).toContain('Resource temporarily unavailable');
  });

  it('the executor remembers a sandbox that works, and asks again a while after one that did not', async () => {
    const bwrap = flakyBwrap(dir);
    bwrap.fail('always');
    vi.useFakeTimers({ toFake: ['Date'] });
    const executor = new SandboxExecutor({ logger: silentLogger, bwrap: bwrap.path });
    expect(await executor.unavailable()).toMatchObject({ code: 'sandbox-unavailable' });

    bwrap.fail(0);
    expect(await executor.unavailable(), 'the answer stands for a while').toMatchObject({ code: 'sandbox-unavailable' });
    vi.setSystemTime(Date.now() + FAILED_PROBE_STANDS_MS);
    expect(await executor.unavailable()).toBeUndefined();

    bwrap.fail('always');
    vi.setSystemTime(Date.now() + 10 * FAILED_PROBE_STANDS_MS);
    expect(await executor.unavailable(), 'a sandbox that worked is not asked about again').toBeUndefined();
  });
});
