import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, Engine, PipelineInvalidError, WeirError } from '@weir/engine';
import { implementedResourceTypes } from '@weir/resources';
import { runWeir, startWeirUp, stopWeir, type WeirProcess } from '../support/weir-process.js';

/**
 * Probe 9 of the hardening issue: names that are not names (a NUL, "..", a right-to-left
 * override) are refused where they come in, and text users control never reaches a terminal as
 * escape sequences.
 */

const PIPELINE = 'jobs: [{name: j, plan: [{task: t, config: {platform: linux, run: {path: "true"}}}]}]\n';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function engine(): Engine {
  const opened = Engine.open({ dataDir: ':memory:', resourceTypes: implementedResourceTypes(), logger: createLogger({ level: 'silent' }) });
  cleanups.push(() => opened.stop());
  return opened;
}

function refusal(set: () => unknown): string {
  try {
    set();
  } catch (error) {
    if (error instanceof PipelineInvalidError) return [...new Set(error.problems.filter((p) => p.severity === 'error').map((p) => p.code))].join(',');
    if (error instanceof WeirError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('names', () => {
  it('a pipeline name with a NUL, a control character, a text-direction mark, or that reads as a path, is refused', () => {
    const weir = engine();
    for (const name of ['a\u0000b', '..', '.', 'a\u001b[31mb', 'invoice\u202egnp.exe', 'line\nbreak', 'x\u0085']) {
      expect(`${JSON.stringify(name)} ${refusal(() => weir.setPipeline({ name, text: PIPELINE }))}`).toBe(`${JSON.stringify(name)} pipeline-name-invalid`);
    }
    expect(refusal(() => weir.setPipeline({ name: 'pr', instanceVars: { 'n\u0000': 1 }, text: PIPELINE }))).toBe('instance-vars-invalid');
    expect(refusal(() => weir.setPipeline({ name: 'pr', instanceVars: { branch: 'feat\u202e' }, text: PIPELINE }))).toBe('instance-vars-invalid');
    expect(refusal(() => weir.setPipeline({ name: 'my-app.v2_x', instanceVars: { pr: 12 }, text: PIPELINE }))).toBe('accepted');
  });

  it('a job, resource or step name with control characters is an error in the config', () => {
    const weir = engine();
    const withJob = (name: string) => `jobs: [{name: ${JSON.stringify(name)}, plan: [{task: t, config: {platform: linux, run: {path: "true"}}}]}]\n`;
    expect(refusal(() => weir.setPipeline({ name: 'p', text: withJob('build\u001b]0;pwned\u0007') }))).toBe('name-unsafe-characters');
    expect(refusal(() => weir.setPipeline({ name: 'p', text: withJob('deploy\u202e') }))).toBe('name-unsafe-characters');
    expect(refusal(() => weir.setPipeline({ name: 'p', text: 'resources: [{name: "r\\u0000", type: mock, source: {}}]\njobs: [{name: j, plan: [{get: "r\\u0000"}]}]\n' }))).toBe('name-unsafe-characters');
  });

  it('weir versions prints a version holding escape sequences as visible text', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'weir-names-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const weir: WeirProcess = await startWeirUp(['--data', dataDir]);
    cleanups.push(() => stopWeir(weir, 'SIGTERM'));
    const hostile = 'v1\u001b]0;pwned\u0007\u001b[2J\u202e';
    const response = await fetch(`${weir.url}/api/v1/pipelines/p/config`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${weir.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ config: `resources: [{name: r, type: mock, source: {initial_version: ${JSON.stringify(hostile)}}}]\njobs: [{name: j, plan: [{get: r}]}]\n` }),
    });
    expect(response.status).toBe(200);
    await weir.post('/pipelines/p/resources/r/check', {});

    const listed = await runWeir(['versions', '-r', 'p/r'], { WEIR_URL: weir.url, WEIR_TOKEN: weir.token });
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('v1\\u001b]0;pwned\\u0007\\u001b[2J\\u202e');
    expect(listed.stdout).not.toMatch(/[\u0007\u202e]|\u001b\]/);
  });
});
