import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEngineServer } from './support/engine-server.js';
import { at, pipelineFile } from './support/pipelines.js';
import { weir } from './support/run-weir.js';

describe('weir secrets', () => {
  it('sets, gets, lists, removes secrets and rotates the key; set-pipeline accepts a var the store holds', async () => {
    const server = await startEngineServer({ start: false });
    expect(await weir(['secrets', 'set', 'deploy_token', 'tok-cli-123', ...at(server)])).toMatchObject({ status: 0, out: 'stored secret main/deploy_token\n' });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'weir-secret-')), 'db.yml');
    writeFileSync(file, 'user: app\npassword: pw-cli-456\n');
    expect((await weir(['secrets', 'set', 'db', '-p', 'my-app', '-y', '-f', file, ...at(server)])).status).toBe(0);

    expect((await weir(['secrets', 'get', 'deploy_token', ...at(server)])).out).toBe('tok-cli-123\n');
    expect((await weir(['secrets', 'get', 'db', '-p', 'my-app', ...at(server)])).out).toBe('user: app\npassword: pw-cli-456\n');
    const listed = await weir(['secrets', 'list', ...at(server)]);
    expect(listed.out).toMatch(/^main\/\* {2}deploy_token {2}\S+\nmain\/my-app {2}db {2}\S+\n$/);
    expect(listed.out).not.toContain('tok-cli-123');

    const pipeline = pipelineFile(`
jobs:
- name: j
  plan:
  - task: t
    params: {T: ((deploy_token)), P: ((db.password))}
    config: {platform: linux, run: {path: "true"}}
`);
    const set = await weir(['set-pipeline', '-p', 'my-app', '-c', pipeline, '-n', ...at(server)]);
    expect(set.status, set.err).toBe(0);
    expect(set.out).toContain('((deploy_token))');
    const other = await weir(['set-pipeline', '-p', 'other-app', '-c', pipeline, '-n', ...at(server)]);
    expect(other.status).toBe(1);
    expect(other.err).toContain('var ((db.password)) is not defined');

    expect(await weir(['secrets', 'rotate-key', ...at(server)])).toMatchObject({ status: 0, out: 'new key in use; 2 secret(s) re-encrypted\n' });
    expect((await weir(['secrets', 'get', 'deploy_token', ...at(server)])).out).toBe('tok-cli-123\n');
    expect((await weir(['secrets', 'rm', 'deploy_token', ...at(server)])).status).toBe(0);
    const gone = await weir(['secrets', 'get', 'deploy_token', ...at(server)]);
    expect(gone.status).toBe(1);
    expect(gone.err).toContain('no secret main/deploy_token');
  });
});
