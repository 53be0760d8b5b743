import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { refuseClaimOverlaps, resolveTaskClaims } from '../../src/runner/task/task-claims.js';
import { outcomes, runJob } from '../support/builds.js';
import { testEngine } from '../support/engine.js';
import { mockPipeline as pipeline } from '../support/mock-pipeline.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'weir-task-claims-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const policy = { roots: [root], forbidden: [] };

const READ_CLAIM = `  - task: read
    claims: [{claim: ((claim)), path: db}]
    config:
      platform: linux
      run: {path: sh, args: [-c, 'cat db/users.csv; echo 2,grace >> db/users.csv']}`;

describe('claims on a task', () => {
  it('mounts the restored directory for a task on this host, from the same step a cluster runs', async () => {
    const restored = join(root, 'staging-db');
    mkdirSync(restored);
    writeFileSync(join(restored, 'users.csv'), '1,ada\n');
    const result = await runJob(testEngine({ localPathRoots: [root] }), pipeline(READ_CLAIM), 'job', { vars: { claim: restored } });
    expect(outcomes(result)).toEqual({ read: 'succeeded' });
    expect(result.logs).toContain('2: 1,ada');
    expect(readFileSync(join(restored, 'users.csv'), 'utf8')).toBe('1,ada\n2,grace\n');
  });

  it('errors on a directory outside the operator\'s local path roots', async () => {
    const result = await runJob(testEngine({ localPathRoots: [root] }), pipeline(READ_CLAIM), 'job', { vars: { claim: '/etc' } });
    expect(result.build.status).toBe('errored');
    expect(result.build.error).toContain('outside the directories this engine lets pipelines use');
  });

  it.each([
    { title: 'a bare name in the sandbox, which mounts directories', claims: [{ claim: 'db', path: 'db' }], placement: 'sandbox' as const, code: 'task-claim-invalid' },
    { title: 'a directory that does not exist, in the sandbox', claims: [{ claim: join(root, 'missing'), path: 'db' }], placement: 'sandbox' as const, code: 'task-claim-not-found' },
    { title: 'a directory on the cluster', claims: [{ claim: '/data/db', path: 'db' }], placement: 'kubernetes' as const, code: 'task-claim-invalid' },
    { title: 'a path leaving the working directory', claims: [{ claim: 'db', path: '../db' }], placement: 'kubernetes' as const, code: 'task-path-outside' },
    { title: 'a directory that does not exist', claims: [{ claim: join(root, 'missing'), path: 'db' }], placement: 'host' as const, code: 'task-claim-not-found' },
  ])('refuses $title', async ({ claims, placement, code }) => {
    await expect(resolveTaskClaims(claims, placement, policy, 'task t')).rejects.toMatchObject({ code, location: 'task t' });
  });

  it('refuses a claim over an input or output path', () => {
    const claims = [{ claim: 'db', path: 'repo/db', readOnly: false }];
    expect(() => refuseClaimOverlaps(claims, { inputs: [{ path: 'repo' }], outputs: [], caches: [] }, 'task t')).toThrow(expect.objectContaining({ code: 'task-path-taken' }));
    expect(() => refuseClaimOverlaps(claims, { inputs: [{ path: 'src' }], outputs: [{ path: 'out' }], caches: [] }, 'task t')).not.toThrow();
  });
});
