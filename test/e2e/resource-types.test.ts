import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileStoreTypeLayer, startFileStoreServer, type FileStoreServer } from '../../packages/engine/test/support/file-store-type.js';
import { requireSandbox } from '../../packages/engine/test/support/sandbox-images.js';
import { freshType, pushWithType } from '../../packages/resources/test/registry-image/support/fixtures.js';
import { buildImage } from '../../packages/resources/test/registry-image/support/images.js';
import { startRegistry, type RunningRegistry } from '../../packages/resources/test/registry-image/support/registry.js';
import { requireTools } from '../../packages/resources/test/registry-image/support/tools.js';
import { runWeir, startWeirUp, stopWeir, type WeirProcess } from '../support/weir-process.js';

// A Concourse resource type as users bring one: an image holding /opt/resource/check, in and
// out (sh scripts over a file store here), pushed to a registry by weir's own registry-image
// put, declared under resource_types, and driven through weir up and the weir command.

const available = requireTools(['docker-registry']) && requireSandbox();

describe.skipIf(!available)('resource types from images, end to end', () => {
  let registry: RunningRegistry;
  let files: FileStoreServer;
  let root: string;
  let dataDir: string;
  let engine: WeirProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    registry = await startRegistry();
    files = await startFileStoreServer();
    root = mkdtempSync(join(tmpdir(), 'weir-e2e-types-'));
    const type = freshType();
    const push = async (repository: string, scripts?: Array<'check' | 'in' | 'out'>) =>
      pushWithType(type, { repository: `${registry.host}/${repository}`, tag: 'latest', insecure: true }, await buildImage({ layers: [fileStoreTypeLayer(scripts)], env: ['PATH=/bin'] }));
    await push('types/file-store');
    await push('types/no-check', ['in', 'out']);
    dataDir = join(root, 'data');
    engine = await startWeirUp(['--data', dataDir]);
    env = { WEIR_URL: engine.url, WEIR_DATA: dataDir };
  }, 60_000);

  afterAll(async () => {
    if (engine) await stopWeir(engine, 'SIGTERM');
    await files?.stop();
    await registry?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const typeEntry = (name: string, repository: string) =>
    `- name: ${name}\n  type: registry-image\n  source: {repository: "${registry.host}/${repository}", tag: latest, insecure: true}\n`;

  async function setPipeline(name: string, text: string): Promise<void> {
    const file = join(root, `${name}.yml`);
    writeFileSync(file, text);
    const set = await runWeir(['set-pipeline', '-p', name, '-c', file, '-n'], env);
    expect(set.status, set.stderr).toBe(0);
  }

  async function finishedBuild(job: string, timeoutMs: number): Promise<{ name: string; status: string }> {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
      const listed = await runWeir(['builds', '-j', job, '--json'], env);
      const finished = (JSON.parse(listed.stdout) as Array<{ name: string; status: string }>).find((build) => !['pending', 'started'].includes(build.status));
      if (finished) return finished;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${job} did not finish within ${timeoutMs} ms`);
  }

  it('checks a custom type, gets from it and puts to it, and a new version triggers the downstream job', async () => {
    files.add('inbox', 'hello');
    await setPipeline(
      'flow',
      `resource_types:
${typeEntry('file-store', 'types/file-store')}
resources:
- name: inbox
  type: file-store
  source: {url: "${files.storeUrl('inbox')}"}
- name: outbox
  type: file-store
  source: {url: "${files.storeUrl('outbox')}"}
- name: archive
  type: file-store
  source: {url: "${files.storeUrl('archive')}"}
jobs:
- name: produce
  plan:
  - get: inbox
    trigger: true
  - put: outbox
    params: {file: inbox/value}
- name: consume
  plan:
  - get: outbox
    trigger: true
    passed: [produce]
  - put: archive
    params: {file: outbox/value}
`,
    );
    const checked = await runWeir(['check-resource', '-r', 'flow/inbox'], env);
    expect(checked.status, checked.stderr).toBe(0);
    expect(checked.stdout).toBe('checked flow/inbox: 1 new version(s)\n');

    expect(await finishedBuild('flow/produce', 60_000)).toMatchObject({ status: 'succeeded' });
    expect(await finishedBuild('flow/consume', 60_000)).toMatchObject({ status: 'succeeded' });
    expect(files.versions('outbox')).toEqual(['1']);
    expect(files.read('archive', '1')).toBe('hello');

    const watched = await runWeir(['watch', '-j', 'flow/consume'], env);
    // The scripts' stderr is the build's stderr, which weir watch prints on its own.
    expect(watched.stderr).toMatch(/fetching version 1 of http:\/\/127\.0\.0\.1:\d+\/stores\/outbox into \/tmp\/build\/get as build \d+ of flow\/consume/);
    expect(watched.stderr).toContain('storing outbox/value at');
    expect(watched.stdout).toMatch(/size: 5/);
    // The get's metadata is kept with the version, and shown with it.
    const versions = await runWeir(['versions', '-r', 'flow/inbox'], env);
    expect(versions.stdout).toMatch(/n:1\s+size: 5, fetched_by: 0\s+yes/);
  }, 180_000);

  it('errors each bad type clearly, and keeps nothing of it', async () => {
    files.add('bad', 'x');
    // Long enough for the first fetch of a type's image on a busy machine; the hanging check's is short.
    const resource = (name: string, type: string, behaviour?: string) =>
      `- name: ${name}\n  type: ${type}\n  check_timeout: ${behaviour === 'hang' ? '3s' : '1m'}\n  source: {url: "${files.storeUrl('bad')}"${behaviour ? `, behaviour: ${behaviour}` : ''}}\n`;
    await setPipeline(
      'bad',
      `resource_types:
${typeEntry('file-store', 'types/file-store')}${typeEntry('missing', 'types/nothing-here')}${typeEntry('no-check', 'types/no-check')}
resources:
${resource('missing-image', 'missing')}${resource('no-check-script', 'no-check')}${resource('bad-json', 'file-store', 'bad-json')}${resource('hangs', 'file-store', 'hang')}
jobs:
- name: probe
  plan:
  - get: missing-image
  - get: no-check-script
  - get: bad-json
  - get: hangs
`,
    );
    const check = (name: string) => runWeir(['check-resource', '-r', `bad/${name}`], env);

    const missing = await check('missing-image');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`check failed for bad/missing-image: the registry-image image of the image of resource type missing has no version: ${registry.host}/types/nothing-here:latest found nothing`);

    const noCheck = await check('no-check-script');
    expect(noCheck.status).toBe(1);
    expect(noCheck.stderr).toMatch(/check failed for bad\/no-check-script: resource type no-check: its image \(.*types\/no-check:latest@sha256:[0-9a-f]{64}\) has no \/opt\/resource\/check/);

    const badJson = await check('bad-json');
    expect(badJson.status).toBe(1);
    expect(badJson.stderr).toContain('check failed for bad/bad-json: resource type file-store: /opt/resource/check printed something that is not JSON on stdout');
    expect(badJson.stderr).toContain('this is not json');

    const started = Date.now();
    const hangs = await check('hangs');
    expect(hangs.status).toBe(1);
    expect(hangs.stderr).toContain('check failed for bad/hangs: checking bad/hangs took longer than 3s');
    expect(Date.now() - started).toBeLessThan(20_000);

    // Nothing half-fetched, no image of the type that does not exist, no script left running.
    const images = join(dataDir, 'images');
    expect(existsSync(join(images, 'staging')) ? readdirSync(join(images, 'staging')) : []).toEqual([]);
    const cachedKeys = readdirSync(join(images, 'entries')).map((id) => (JSON.parse(readFileSync(join(images, 'entries', id, 'entry.json'), 'utf8')) as { key: string }).key);
    expect(cachedKeys.every((key) => key.startsWith('sha256:'))).toBe(true);
    expect(cachedKeys).toHaveLength(2);
    await expect.poll(() => processesRunning('sleep 3600'), { timeout: 5_000, interval: 100 }).toEqual([]);
    // The engine is none the worse: the good type still checks.
    expect((await runWeir(['check-resource', '-r', 'flow/inbox'], env)).status).toBe(0);
  }, 180_000);
});

function processesRunning(commandLine: string): string[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(join('/proc', pid, 'cmdline'), 'utf8').split('\0').join(' ').trim() === commandLine;
      } catch {
        return false;
      }
    });
}
