import { KubeConfig } from '@kubernetes/client-node';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKubeSimulator, type KubeSimulator } from '../../../../test/support/kube/simulator.js';
import { volumeSnapshotResourceType as type, type VolumeSnapshotSource } from '../../src/volume-snapshot/index.js';
import { OWNER_LABEL } from '../../src/volume-snapshot/naming.js';
import { DEFAULT_CREDENTIALS_SWITCH } from '../../src/kube/client.js';
import { testContext } from '../support/context.js';

const BUILD = { buildId: 12, buildName: '12', jobName: 'backup', pipelineName: 'shop db', teamName: 'main', url: 'http://weir/builds/12' };
const T0 = new Date('2024-05-01T03:00:00Z');
const HOUR = 3_600_000;

let sim: KubeSimulator;
let workdir: string;

beforeEach(async () => {
  sim = await startKubeSimulator();
  sim.createNamespace('ci');
  sim.createClaim('ci', 'db', { size: '2Gi', labels: { app: 'shop' } });
  sim.createClaim('ci', 'cache', { size: '1Gi', labels: { app: 'shop' } });
  workdir = await mkdtemp(join(tmpdir(), 'weir-volume-snapshot-kube-'));
});

afterEach(async () => {
  await sim.stop();
  await rm(workdir, { recursive: true, force: true });
});

function kubeconfig(token = sim.token, contextNamespace?: string): string {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'sim', server: sim.url, skipTLSVerify: true }],
    users: [{ name: 'weir', token }],
    contexts: [{ name: 'sim', cluster: 'sim', user: 'weir', ...(contextNamespace !== undefined && { namespace: contextNamespace }) }],
    currentContext: 'sim',
  });
  return config.exportConfig();
}

const source = (extra: Partial<VolumeSnapshotSource> = {}): VolumeSnapshotSource => ({ driver: 'kubernetes', kubeconfig: kubeconfig(), namespace: 'ci', pvc: 'db', ...extra });
const at = (hours: number) => testContext({ now: new Date(T0.getTime() + hours * HOUR), build: BUILD });

describe('volume-snapshot, kubernetes driver', () => {
  it('creates a labelled VolumeSnapshot, waits until ready, and check reports it', async () => {
    // Ready well after the first read, however loaded the machine: the put must wait (by a watch).
    await sim.stop();
    sim = await startKubeSimulator({ snapshotReadyAfterMs: 1_000 });
    sim.createNamespace('ci');
    sim.createClaim('ci', 'db', { size: '2Gi', labels: { app: 'shop' } });
    const put = await type.put(at(0), source(), {}, workdir);
    expect(put.version).toEqual({ name: expect.stringMatching(/^db-backup-12-20240501-030000-[a-z0-9]{5}$/), created: T0.toISOString() });
    expect(put.metadata).toEqual(expect.arrayContaining([{ name: 'source', value: 'db' }, { name: 'restore_size', value: '2Gi' }]));

    const stored = sim.store.get('volumesnapshots', 'ci', put.version.name);
    expect(stored?.metadata.labels).toMatchObject({ 'weir.dev/pipeline': 'shop_db', 'weir.dev/job': 'backup', 'weir.dev/build': '12', [OWNER_LABEL]: expect.any(String) });
    expect(stored?.spec.source).toEqual({ persistentVolumeClaimName: 'db' });
    expect(sim.requests.some((request) => request.includes('watch=true'))).toBe(true);

    const versions = await type.check(testContext(), source());
    expect(versions.map((v) => v.version)).toEqual([put.version]);
  });

  it('fails with the snapshot controller\'s message and leaves no failed snapshot behind', async () => {
    sim.controllers.snapshotFailure = 'rpc error: code = Internal desc = disk full';
    const error = await type.put(at(0), source(), {}, workdir).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'volume-snapshot-failed', message: expect.stringContaining('disk full') });
    expect(sim.store.list('volumesnapshots', 'ci')).toEqual([]);
  });

  it('fails with the API\'s reason for an unknown snapshot class', async () => {
    await expect(type.put(at(0), source({ snapshot_class: 'missing' }), {}, workdir)).rejects.toMatchObject({ code: 'volume-snapshot-failed', message: expect.stringContaining('"missing" not found') });
  });

  it('times out while the controller is slow, keeping the snapshot for a later check', async () => {
    await sim.stop();
    sim = await startKubeSimulator({ snapshotReadyAfterMs: 60_000 });
    sim.createNamespace('ci');
    sim.createClaim('ci', 'db');
    await expect(type.put(at(0), source(), { timeout: '200ms' }, workdir)).rejects.toMatchObject({ code: 'volume-snapshot-timeout' });
    expect(sim.store.list('volumesnapshots', 'ci')).toHaveLength(1);
    expect(await type.check(testContext(), source())).toEqual([]);
  });

  it('snapshots every claim a selector matches, and retention counts each claim apart', async () => {
    const selected = source({ pvc: undefined, pvc_selector: 'app=shop', retention: { max_count: 1 } });
    const first = await type.put(at(0), selected, {}, workdir);
    expect(first.metadata).toContainEqual({ name: 'also_created', value: expect.stringMatching(/^db-/) });
    await type.put(at(1), selected, {}, workdir);
    const versions = await type.check(testContext(), selected);
    expect(versions.map((v) => v.metadata?.find((m) => m.name === 'source')?.value).sort()).toEqual(['cache', 'db']);
    expect(versions.every((v) => v.version.created === new Date(T0.getTime() + HOUR).toISOString())).toBe(true);
  });

  it('prunes only its own snapshots, oldest first', async () => {
    const foreign = await type.put(at(0), source({ name_prefix: 'manual-' }), {}, workdir);
    const made = [];
    for (let hour = 0; hour < 3; hour += 1) made.push(await type.put(at(hour), source({ retention: { max_count: 2 } }), {}, workdir));
    expect((await type.check(testContext(), source())).map((v) => v.version.name)).toEqual(made.slice(1).map((p) => p.version.name));
    expect(sim.store.get('volumesnapshots', 'ci', foreign.version.name)).toBeDefined();
  });

  it('get writes snapshot.json and a restore-pvc.yaml that the API accepts', async () => {
    const put = await type.put(at(0), source(), {}, workdir);
    const dir = join(workdir, 'snap');
    await mkdir(dir);
    await type.get(testContext(), source(), put.version, { to_pvc: 'db-copy' }, dir);
    expect(JSON.parse(await readFile(join(dir, 'snapshot.json'), 'utf8'))).toMatchObject({ name: put.version.name, restore_size: '2Gi', namespace: 'ci', snapshot_class: 'csi-hostpath-snapclass' });
    const manifest = await readFile(join(dir, 'restore-pvc.yaml'), 'utf8');
    expect(manifest).toContain('name: db-copy');
    expect(manifest).toContain(`name: ${put.version.name}`);
    expect(manifest).toContain('storage: 2Gi');
  });

  it('restores into a new claim that binds', async () => {
    const put = await type.put(at(0), source(), {}, workdir);
    const dir = join(workdir, 'snap');
    await mkdir(dir);
    await type.get(testContext(), source(), put.version, {}, dir);
    const restored = await type.put(at(1), source(), { action: 'restore', from: 'snap', to_pvc: 'db-pr-12', wait: true }, workdir);
    expect(restored.version).toEqual(put.version);
    const claim = sim.store.get('persistentvolumeclaims', 'ci', 'db-pr-12');
    expect(claim?.status).toMatchObject({ phase: 'Bound' });
    expect(claim?.spec.dataSource).toEqual({ apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: put.version.name });
    expect(claim?.metadata.labels).toMatchObject({ 'weir.dev/restored-from': put.version.name });
  });

  it('fails a restore with the provisioner\'s reason when the claim is too small', async () => {
    const put = await type.put(at(0), source(), {}, workdir);
    const error = await type.put(at(1), source(), { action: 'restore', name: put.version.name, to_pvc: 'tiny', size: '1Gi', wait: true }, workdir).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'volume-snapshot-restore-failed', message: expect.stringContaining('ProvisioningFailed') });
    expect((error as Error).message).toContain('is less than the size');
  });

  it('refuses to restore over an existing claim, pointing at overwrite and keep_existing', async () => {
    const put = await type.put(at(0), source(), {}, workdir);
    await expect(type.put(at(1), source(), { action: 'restore', name: put.version.name, to_pvc: 'cache' }, workdir)).rejects.toMatchObject({
      code: 'volume-snapshot-claim-exists',
      hint: expect.stringMatching(/overwrite: true.*keep_existing: true/),
    });
  });

  describe('restore with overwrite into an existing claim', () => {
    beforeEach(async () => {
      // Deletion takes a while, as the pvc-protection controller's does: a restore that did not wait would collide with the old claim.
      await sim.stop();
      sim = await startKubeSimulator({ claimReleaseAfterMs: 400 });
      sim.createNamespace('ci');
      sim.createClaim('ci', 'db', { size: '2Gi' });
      sim.createClaim('ci', 'staging-db', { size: '2Gi' });
    });

    it('deletes the claim, waits until it is gone and recreates it from the snapshot, with the snapshot\'s data only', async () => {
      writeFileSync(join(sim.kubelet.claimDirectory('ci', 'db'), 'users.csv'), 'id,name\n1,ada\n');
      writeFileSync(join(sim.kubelet.claimDirectory('ci', 'staging-db'), 'users.csv'), 'id,name\n9,test data\n');
      writeFileSync(join(sim.kubelet.claimDirectory('ci', 'staging-db'), 'scratch'), 'left by a test run');
      const put = await type.put(at(0), source(), {}, workdir);
      await waitUntil(() => sim.store.get('persistentvolumeclaims', 'ci', 'staging-db')?.status?.phase === 'Bound');
      const old = sim.store.get('persistentvolumeclaims', 'ci', 'staging-db')!;
      const ctx = at(1);
      const started = Date.now();
      const restored = await type.put(ctx, source(), { action: 'restore', name: put.version.name, to_pvc: 'staging-db', overwrite: true, wait: true }, workdir);
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
      expect(restored.metadata).toEqual(expect.arrayContaining([{ name: 'restored_to', value: 'ci/staging-db' }, { name: 'overwritten', value: 'true' }]));
      const claim = sim.store.get('persistentvolumeclaims', 'ci', 'staging-db')!;
      expect(claim.metadata.uid).not.toBe(old.metadata.uid);
      expect(claim.spec.volumeName).not.toBe(old.spec.volumeName);
      expect(claim.spec.dataSource).toEqual({ apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: put.version.name });
      expect(claim.status).toMatchObject({ phase: 'Bound' });
      expect(readdirSync(sim.kubelet.claimDirectory('ci', 'staging-db'))).toEqual(['users.csv']);
      expect(readFileSync(join(sim.kubelet.claimDirectory('ci', 'staging-db'), 'users.csv'), 'utf8')).toBe('id,name\n1,ada\n');
      expect(ctx.lines.join('\n')).toMatch(/deleted PersistentVolumeClaim ci\/staging-db to overwrite it, waiting until it is gone[\s\S]*recreated PersistentVolumeClaim ci\/staging-db/);
    });

    it('is refused while a pod of a running build mounts the claim, naming the pod and the build', async () => {
      const put = await type.put(at(0), source(), {}, workdir);
      sim.store.create('pods', buildPod('staging-migrate-7', 'staging-db'), new Date());
      sim.store.create('pods', buildPod('old-finished', 'staging-db', 'Succeeded'), new Date());
      const params = { action: 'restore' as const, name: put.version.name, to_pvc: 'staging-db', overwrite: true };
      const error = await type.put(at(1), source(), params, workdir).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'volume-snapshot-claim-in-use', message: expect.stringContaining('pod staging-migrate-7 (build shop/migrate #7)') });
      expect((error as Error).message).not.toContain('old-finished');
      const claim = sim.store.get('persistentvolumeclaims', 'ci', 'staging-db');
      expect(claim?.metadata.deletionTimestamp).toBeUndefined();
      expect(claim?.spec.dataSource).toBeUndefined();

      sim.store.delete('pods', 'ci', 'staging-migrate-7');
      await type.put(at(1), source(), params, workdir);
      expect(sim.store.get('persistentvolumeclaims', 'ci', 'staging-db')?.spec.dataSource).toMatchObject({ name: put.version.name });
    });
  });

  it('keeps an existing claim with keep_existing, and restores when there is none', async () => {
    const put = await type.put(at(0), source(), {}, workdir);
    const kept = await type.put(at(1), source(), { action: 'restore', name: put.version.name, to_pvc: 'cache', keep_existing: true, wait: true }, workdir);
    expect(kept.metadata).toContainEqual({ name: 'kept_existing', value: 'true' });
    expect(sim.store.get('persistentvolumeclaims', 'ci', 'cache')?.spec.dataSource).toBeUndefined();
    const restored = await type.put(at(1), source(), { action: 'restore', name: put.version.name, to_pvc: 'pr-7-db', keep_existing: true, wait: true }, workdir);
    expect(restored.metadata).toContainEqual({ name: 'restored_to', value: 'ci/pr-7-db' });
    expect(sim.store.get('persistentvolumeclaims', 'ci', 'pr-7-db')?.spec.dataSource).toMatchObject({ kind: 'VolumeSnapshot', name: put.version.name });
  });

  it('does not keep a claim that is being deleted', async () => {
    const put = await type.put(at(0), source(), {}, workdir);
    sim.store.update('persistentvolumeclaims', 'ci', 'cache', (claim) => {
      claim.metadata.deletionTimestamp = '2024-05-01T03:30:00Z';
      // Another controller's finalizer holds it, however long the test takes.
      claim.metadata.finalizers = ['example.com/backup-first'];
    });
    await expect(type.put(at(1), source(), { action: 'restore', name: put.version.name, to_pvc: 'cache', keep_existing: true }, workdir)).rejects.toMatchObject({ code: 'volume-snapshot-claim-terminating' });
  });

  it('deletes one snapshot by name, or all of its own at cleanup', async () => {
    const foreign = await type.put(at(0), source({ name_prefix: 'manual-' }), {}, workdir);
    const first = await type.put(at(0), source(), {}, workdir);
    await type.put(at(1), source(), {}, workdir);
    await type.put(testContext(), source(), { action: 'delete', name: first.version.name }, workdir);
    expect(await type.check(testContext(), source())).toHaveLength(1);
    const cleanup = await type.put(testContext(), source(), { action: 'delete', all: true }, workdir);
    expect(cleanup.metadata).toContainEqual({ name: 'deleted', value: '1' });
    expect(sim.store.list('volumesnapshots', 'ci').map((s) => s.metadata.name)).toEqual([foreign.version.name]);
  });

  it('works in the kubeconfig context\'s namespace when the source names none, as kubectl does', async () => {
    const { namespace: _left, ...bare } = source({ kubeconfig: kubeconfig(sim.token, 'ci') });
    const put = await type.put(at(0), bare, {}, workdir);
    expect(sim.store.get('volumesnapshots', 'ci', put.version.name)).toBeDefined();
    expect((await type.check(testContext(), bare)).map((v) => v.version)).toEqual([put.version]);
    // The same resource with the namespace written out owns the same snapshots.
    expect((await type.check(testContext(), source())).map((v) => v.version)).toEqual([put.version]);
    const { namespace: _also, ...noContext } = source();
    await expect(type.put(at(1), noContext, {}, workdir)).rejects.toMatchObject({ code: 'volume-snapshot-claim-not-found', message: expect.stringContaining('namespace default') });
  });

  it('names the claim that does not exist', async () => {
    await expect(type.put(at(0), source({ pvc: 'nope' }), {}, workdir)).rejects.toMatchObject({ code: 'volume-snapshot-claim-not-found' });
  });

  describe('without a kubeconfig in the source', () => {
    const saved = { KUBECONFIG: process.env.KUBECONFIG, [DEFAULT_CREDENTIALS_SWITCH]: process.env[DEFAULT_CREDENTIALS_SWITCH] };
    afterEach(() => {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    it('uses the engine\'s own kubeconfig ($KUBECONFIG), which may hold what a source may not', async () => {
      const file = join(workdir, 'engine-kubeconfig');
      await writeFile(file, kubeconfig());
      process.env.KUBECONFIG = file;
      const { kubeconfig: _left, ...bare } = source();
      expect(await type.check(testContext(), bare)).toEqual([]);
      const put = await type.put(at(0), bare, {}, workdir);
      expect(sim.store.get('volumesnapshots', 'ci', put.version.name)).toBeDefined();
    });

    it('is refused when the operator denies the engine\'s own credentials to pipelines', async () => {
      const file = join(workdir, 'engine-kubeconfig');
      await writeFile(file, kubeconfig());
      process.env.KUBECONFIG = file;
      process.env[DEFAULT_CREDENTIALS_SWITCH] = 'deny';
      const { kubeconfig: _left, ...bare } = source();
      await expect(type.check(testContext(), bare)).rejects.toMatchObject({ code: 'volume-snapshot-kubeconfig-required', hint: expect.stringContaining('source.kubeconfig') });
      expect(sim.requests).toEqual([]);
    });
  });

  describe('a kubeconfig in the source', () => {
    const withUser = (user: string, cluster = ''): string =>
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: sim\n  cluster:\n    server: ${sim.url}\n    insecure-skip-tls-verify: true${cluster}`,
        'users:',
        `- name: weir\n  user:\n${user}`,
        'contexts:',
        '- name: sim\n  context: {cluster: sim, user: weir}',
        'current-context: sim',
        '',
      ].join('\n');

    it('may not run a program', async () => {
      const marker = join(workdir, 'ran');
      const config = withUser(`    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: sh\n      args: [-c, "touch ${marker}"]`);
      await expect(type.check(testContext(), source({ kubeconfig: config }))).rejects.toMatchObject({ code: 'volume-snapshot-kubeconfig-not-allowed', message: expect.stringContaining('users[weir].user.exec') });
      await expect(readFile(marker)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('may not read files of the machine running weir', async () => {
      const tokenFile = join(workdir, 'token');
      await writeFile(tokenFile, sim.token);
      const refused = [
        withUser(`    token-file: ${tokenFile}`),
        withUser(`    tokenFile: ${tokenFile}`),
        withUser(`    auth-provider: {name: oidc, config: {cmd-path: /bin/sh}}`),
        withUser(`    token: ${sim.token}\n    client-certificate: /etc/hostname`),
        withUser(`    token: ${sim.token}\n    client-key: /etc/hostname`),
        withUser(`    token: ${sim.token}`, '\n    certificate-authority: /etc/hostname'),
      ];
      for (const config of refused) {
        await expect(type.check(testContext(), source({ kubeconfig: config })), config).rejects.toMatchObject({ code: 'volume-snapshot-kubeconfig-not-allowed' });
      }
      // The inline forms are what to use instead.
      expect(await type.check(testContext(), source({ kubeconfig: withUser(`    token: ${sim.token}`) }))).toEqual([]);
    });

    it('that does not parse is reported by line, without quoting its secrets', async () => {
      const config = withUser(`    token: ${sim.token}\n    client-key-data: c2VjcmV0LWtleS1tYXRlcmlhbA==\n  broken: [`);
      const error = await type.check(testContext(), source({ kubeconfig: config })).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'volume-snapshot-kubeconfig-invalid', message: expect.stringMatching(/at line \d+: /) });
      expect((error as Error).message).not.toContain(sim.token.slice(0, 8));
      expect((error as Error).message).not.toContain('c2VjcmV0');
    });
  });

  it('reports refused credentials as such', async () => {
    await expect(type.check(testContext(), source({ kubeconfig: kubeconfig('wrong') }))).rejects.toMatchObject({ code: 'volume-snapshot-unauthorized' });
  });
});

/** A pod as weir's kubernetes executor makes one, mounting `claim`; `phase` as the kubelet would set it. */
function buildPod(name: string, claim: string, phase = 'Running') {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    // An owner keeps the simulated kubelet from running it: this test only needs it to exist in `phase`.
    metadata: { name, namespace: 'ci', annotations: { 'weir.dev/pipeline': 'shop', 'weir.dev/job': 'migrate', 'weir.dev/build-name': '7' }, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'sim-node', uid: 'n' }] },
    spec: { containers: [{ name: 'task', image: 'busybox' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }] },
    status: { phase },
  };
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !condition(); tries++) await new Promise((resume) => setTimeout(resume, 10));
  expect(condition()).toBe(true);
}
