import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshType, pushWithType } from '../../../resources/test/registry-image/support/fixtures.js';
import { buildImage } from '../../../resources/test/registry-image/support/images.js';
import { startRegistry, type RunningRegistry } from '../../../resources/test/registry-image/support/registry.js';
import { requireTools } from '../../../resources/test/registry-image/support/tools.js';
import { runJob, outcomes } from '../support/builds.js';
import { testEngine } from '../support/engine.js';
import { fileStoreTypeLayer, startFileStoreServer, type FileStoreServer } from '../support/file-store-type.js';
import { requireSandbox } from '../support/sandbox-images.js';

const available = requireTools(['docker-registry']) && requireSandbox();

describe.skipIf(!available)('resource types declared under resource_types, run from their images', () => {
  let registry: RunningRegistry;
  let files: FileStoreServer;
  const typeRepository = () => `${registry.host}/types/file-store`;

  beforeAll(async () => {
    registry = await startRegistry();
    files = await startFileStoreServer();
    const type = freshType();
    const push = async (repository: string, scripts?: Array<'check' | 'in' | 'out'>) =>
      pushWithType(type, { repository, tag: 'latest', insecure: true }, await buildImage({ layers: [fileStoreTypeLayer(scripts)], env: ['PATH=/bin'] }));
    await push(typeRepository());
    await push(`${registry.host}/types/no-check`, ['in', 'out']);
    // A mirror of Docker Hub's concourse/*-resource repositories, as an operator would keep one.
    await push(`${registry.host}/concourse/semver-resource`);
  });
  afterAll(async () => {
    await files?.stop();
    await registry?.stop();
  });

  const pipeline = (options: { store: string; repository?: string; behaviour?: string; typeExtra?: string; checkTimeout?: string }) => `
resource_types:
- name: file-store
  type: registry-image
  source: {repository: "${options.repository ?? typeRepository()}", tag: latest, insecure: true}
${options.typeExtra ?? ''}
resources:
- name: values
  type: file-store
  check_timeout: ${options.checkTimeout ?? '1m'}
  source: {url: "${files.storeUrl(options.store)}"${options.behaviour ? `, behaviour: ${options.behaviour}` : ''}}
jobs:
- name: job
  plan:
  - get: values
  - task: show
    config:
      platform: linux
      inputs: [{name: values}]
      outputs: [{name: out}]
      run: {path: sh, args: [-c, 'cat values/value; (cat values/value; echo " and more") > out/value']}
  - put: values
    params: {file: out/value}
`;

  it('checks, gets and puts through /opt/resource/* in the type\'s image, logging their stderr and showing their metadata', async () => {
    files.add('happy', 'first');
    const engine = testEngine();
    engine.setPipeline({ name: 'p', text: pipeline({ store: 'happy' }) });
    const values = engine.store.resources.get(engine.store.pipelines.get({ name: 'p' })!.id, 'values')!;
    const check = await engine.checker.checkResource(values.id);
    expect(check).toMatchObject({ ok: true, newVersions: 1 });

    const result = await runJob(engine, '');
    expect(result.build.status).toBe('succeeded');
    expect(outcomes(result)).toMatchObject({ values: 'succeeded', show: 'succeeded' });
    expect(result.logs.join('\n')).toMatch(/fetching version 1 of http:\/\/127\.0\.0\.1:\d+\/stores\/happy into \/tmp\/build\/get as build \d+ of p\/job/);
    expect(result.logs.join('\n')).toContain('storing out/value');
    const finished = result.events.filter((event) => event.type === 'step-finished').map((event) => event.data);
    expect(finished).toContainEqual(expect.objectContaining({ version: { n: '1' }, metadata: [{ name: 'size', value: '5' }, { name: 'fetched_by', value: '0' }] }));
    expect(finished).toContainEqual(expect.objectContaining({ version: { n: '2' }, metadata: [{ name: 'stored', value: 'out/value' }] }));
    expect(files.versions('happy')).toEqual(['1', '2']);
    expect(files.read('happy', '2')).toBe('first and more\n');
    // What the get said of version 1 is kept with it; version 2 keeps what the put said (the get after it fetched only).
    expect(engine.store.resources.listVersions(values.id).map((v) => [v.version, v.metadata])).toEqual([
      [{ n: '2' }, [{ name: 'size', value: '15' }, { name: 'fetched_by', value: '0' }]],
      [{ n: '1' }, [{ name: 'size', value: '5' }, { name: 'fetched_by', value: '0' }]],
    ]);
  });

  it('lays the type\'s defaults under each resource\'s source, the resource\'s own fields winning', async () => {
    files.add('from-defaults', 'd');
    const text = pipeline({ store: 'ignored', typeExtra: `  defaults: {url: "${files.storeUrl('from-defaults')}", behaviour: none}` }).replace(/  source: \{url: "[^"]*"\}/, '  source: {behaviour: fine}');
    const engine = testEngine();
    engine.setPipeline({ name: 'p', text });
    const values = engine.store.resources.get(engine.store.pipelines.get({ name: 'p' })!.id, 'values')!;
    expect(values.config.source).toEqual({ behaviour: 'fine' });
    expect(await engine.checker.checkResource(values.id)).toMatchObject({ ok: true, newVersions: 1 });
  });

  it('errors a check whose type image does not exist, naming it, and keeps nothing of it', async () => {
    const engine = testEngine();
    engine.setPipeline({ name: 'p', text: pipeline({ store: 'missing-image', repository: `${registry.host}/types/nothing` }) });
    const values = engine.store.resources.get(engine.store.pipelines.get({ name: 'p' })!.id, 'values')!;
    const check = await engine.checker.checkResource(values.id);
    expect(check.ok).toBe(false);
    expect(check.error).toContain(`${registry.host}/types/nothing`);
    expect((await engine.imageStore()).list()).toEqual([]);
  });

  it('errors a check whose image has no /opt/resource/check, saying so', async () => {
    const engine = testEngine();
    engine.setPipeline({ name: 'p', text: pipeline({ store: 'no-check', repository: `${registry.host}/types/no-check` }) });
    const values = engine.store.resources.get(engine.store.pipelines.get({ name: 'p' })!.id, 'values')!;
    const check = await engine.checker.checkResource(values.id);
    expect(check).toMatchObject({ ok: false, error: expect.stringMatching(/resource type file-store: its image \(.*types\/no-check:latest@sha256:[0-9a-f]+\) has no \/opt\/resource\/check/) });
  });

  it('errors a check that prints something that is not JSON, quoting it', async () => {
    files.add('bad-json', 'x');
    const engine = testEngine();
    engine.setPipeline({ name: 'p', text: pipeline({ store: 'bad-json', behaviour: 'bad-json' }) });
    const values = engine.store.resources.get(engine.store.pipelines.get({ name: 'p' })!.id, 'values')!;
    const check = await engine.checker.checkResource(values.id);
    expect(check).toMatchObject({ ok: false, error: expect.stringContaining('/opt/resource/check printed something that is not JSON on stdout') });
    expect(check.error).toContain('this is not json');
  });

  it('stops a check that hangs past its check_timeout, leaving no process behind', async () => {
    const engine = testEngine();
    engine.setPipeline({ name: 'p', text: pipeline({ store: 'hang', behaviour: 'hang', checkTimeout: '3s' }) });
    const values = engine.store.resources.get(engine.store.pipelines.get({ name: 'p' })!.id, 'values')!;
    const started = Date.now();
    const check = await engine.checker.checkResource(values.id);
    expect(check).toMatchObject({ ok: false, error: expect.stringContaining('took longer than 3s') });
    expect(Date.now() - started).toBeLessThan(10_000);
    // The check errors at its timeout; its processes get a grace period to stop, then are killed.
    await expect.poll(sleepingSandboxes, { timeout: 5_000, interval: 100 }).toEqual([]);
  });

  it('fills in the credential manager\'s ((vars)) in a type\'s source and defaults when it runs', async () => {
    files.add('secret-store', 's');
    const engine = testEngine();
    engine.secrets.builtin.set({ team: 'main', pipeline: '', name: 'type-tag' }, 'latest');
    engine.secrets.builtin.set({ team: 'main', pipeline: '', name: 'store-url' }, files.storeUrl('secret-store'));
    const text = pipeline({ store: 'ignored', typeExtra: '  defaults: {url: ((store-url))}' })
      .replace('tag: latest, insecure: true}', 'tag: ((type-tag)), insecure: true}')
      .replace(/  source: \{url: "[^"]*"\}/, '  source: {}');
    engine.setPipeline({ name: 'p', text });
    const values = engine.store.resources.get(engine.store.pipelines.get({ name: 'p' })!.id, 'values')!;
    expect(await engine.checker.checkResource(values.id)).toMatchObject({ ok: true, newVersions: 1 });
    const result = await runJob(engine, '');
    expect(result.build.status).toBe('succeeded');
    // The value is redacted wherever the build shows it.
    expect(result.logs.join('\n')).toContain('fetching version 1 of ((redacted)) into /tmp/build/get');
    expect(JSON.stringify(engine.store.pipelines.get({ name: 'p' })!.config)).toContain('((store-url))');
  });

  it('runs a Concourse base type weir has no built-in for from the operator\'s mirror', async () => {
    files.add('base', 'b');
    const engine = testEngine({ resourceTypeMirror: `http://${registry.host}` });
    engine.setPipeline({ name: 'p', text: `resources:\n- name: version\n  type: semver\n  source: {url: "${files.storeUrl('base')}"}\njobs:\n- name: job\n  plan:\n  - get: version\n` });
    const version = engine.store.resources.get(engine.store.pipelines.get({ name: 'p' })!.id, 'version')!;
    expect(await engine.checker.checkResource(version.id)).toMatchObject({ ok: true, newVersions: 1 });
    const result = await runJob(engine, '');
    expect(result.build.status).toBe('succeeded');
    expect(result.logs.join('\n')).toContain('fetching version 1');
  });

  it('runs a type whose image another declared type fetches', async () => {
    files.add('images', 'the image version');
    files.add('chained', 'c');
    const text = `resource_types:
- name: image-maker
  type: registry-image
  source: {repository: "${typeRepository()}", tag: latest, insecure: true}
- name: chained
  type: image-maker
  source: {url: "${files.storeUrl('images')}", behaviour: image}
resources:
- name: values
  type: chained
  source: {url: "${files.storeUrl('chained')}"}
jobs:
- name: job
  plan:
  - get: values
`;
    const engine = testEngine();
    engine.setPipeline({ name: 'p', text });
    const values = engine.store.resources.get(engine.store.pipelines.get({ name: 'p' })!.id, 'values')!;
    expect(await engine.checker.checkResource(values.id)).toMatchObject({ ok: true, newVersions: 1 });
    const result = await runJob(engine, '');
    expect(result.build.status).toBe('succeeded');
    expect(result.logs.join('\n')).toContain('fetching version 1 of http');
    // Two images: the registry's (by digest) and the one image-maker wrote (by its version).
    expect((await engine.imageStore()).list().map((image) => image.key).sort()).toEqual([expect.stringMatching(/^image-maker:[0-9a-f]{64}$/), expect.stringMatching(/^sha256:/)]);
  });

  it('refuses a privileged type unless the operator allows privileged containers', async () => {
    files.add('privileged', 'p');
    const text = pipeline({ store: 'privileged' }).replace('  type: registry-image\n', '  type: registry-image\n  privileged: true\n');
    const refusing = testEngine();
    refusing.setPipeline({ name: 'p', text });
    const refused = await refusing.checker.checkResource(refusing.store.resources.get(refusing.store.pipelines.get({ name: 'p' })!.id, 'values')!.id);
    expect(refused).toMatchObject({ ok: false, error: expect.stringContaining('--allow-privileged') });
    const allowing = testEngine({ allowPrivileged: true });
    allowing.setPipeline({ name: 'p', text });
    const allowed = await allowing.checker.checkResource(allowing.store.resources.get(allowing.store.pipelines.get({ name: 'p' })!.id, 'values')!.id);
    expect(allowed).toMatchObject({ ok: true, newVersions: 1 });
  });
});

/** Processes still running `sleep 3600` (the hanging check's), found through /proc. */
function sleepingSandboxes(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(join('/proc', pid, 'cmdline'), 'utf8').split('\0').join(' ').trim();
      if (cmdline === 'sleep 3600') found.push(pid);
    } catch {
      // Gone while reading.
    }
  }
  return found;
}
