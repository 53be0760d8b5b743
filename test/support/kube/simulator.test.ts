import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKubeSimulator, type KubeSimulator } from './simulator.js';

let sim: KubeSimulator;
beforeEach(async () => {
  sim = await startKubeSimulator();
});
afterEach(async () => {
  await sim.stop();
});

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${sim.url}${path}`, { ...init, headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/json', ...init.headers } });

const claim = (name: string, storage = '1Gi') => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } } });

describe('Kubernetes API simulator', () => {
  it('serves discovery for core and snapshot APIs', async () => {
    expect(await (await call('/api')).json()).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect(await (await call('/apis')).json()).toMatchObject({ kind: 'APIGroupList', groups: [{ name: 'snapshot.storage.k8s.io' }, { name: 'apps' }] });
    expect(await (await call('/apis/snapshot.storage.k8s.io/v1')).json()).toMatchObject({ resources: expect.arrayContaining([expect.objectContaining({ name: 'volumesnapshots', namespaced: true })]) });
  });

  it.each([
    { title: '404 NotFound', request: () => call('/api/v1/namespaces/default/persistentvolumeclaims/none'), code: 404, reason: 'NotFound', message: 'persistentvolumeclaims "none" not found' },
    { title: '404 for a missing namespace', request: () => call('/api/v1/namespaces/nope/persistentvolumeclaims', { method: 'POST', body: JSON.stringify(claim('a')) }), code: 404, reason: 'NotFound', message: 'namespaces "nope" not found' },
    { title: '422 Invalid', request: () => call('/api/v1/namespaces/default/persistentvolumeclaims', { method: 'POST', body: JSON.stringify(claim('Bad_Name')) }), code: 422, reason: 'Invalid', message: expect.stringContaining('RFC 1123') },
    { title: '401 without the token', request: () => fetch(`${sim.url}/api`), code: 401, reason: 'Unauthorized', message: 'Unauthorized' },
  ])('answers $title with a Status', async ({ request, code, reason, message }) => {
    const response = await request();
    expect(response.status).toBe(code);
    expect(await response.json()).toMatchObject({ kind: 'Status', status: 'Failure', code, reason, message });
  });

  it('stores a Secret as the API server does: stringData merged into data, base64, type Opaque', async () => {
    const body = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, data: { user: Buffer.from('old').toString('base64') }, stringData: { password: 'pw', user: 'new' } };
    expect((await call('/api/v1/namespaces/default/secrets', { method: 'POST', body: JSON.stringify(body) })).status).toBe(201);
    const read = (await (await call('/api/v1/namespaces/default/secrets/creds')).json()) as Record<string, unknown>;
    expect(read).toMatchObject({ kind: 'Secret', type: 'Opaque', data: { user: Buffer.from('new').toString('base64'), password: Buffer.from('pw').toString('base64') } });
    expect(read).not.toHaveProperty('stringData');
    expect((await call('/api/v1/namespaces/default/secrets/none')).status).toBe(404);
  });

  it('answers 409 AlreadyExists on a second create', async () => {
    const create = () => call('/api/v1/namespaces/default/persistentvolumeclaims', { method: 'POST', body: JSON.stringify(claim('data')) });
    expect((await create()).status).toBe(201);
    const second = await create();
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', message: 'persistentvolumeclaims "data" already exists' });
  });

  it('filters lists by label selector', async () => {
    sim.createClaim('default', 'a', { labels: { app: 'db' } });
    sim.createClaim('default', 'b', { labels: { app: 'web' } });
    const list = (await (await call('/api/v1/namespaces/default/persistentvolumeclaims?labelSelector=app%20in%20(db,cache)')).json()) as { items: Array<{ metadata: { name: string } }> };
    expect(list.items.map((item) => item.metadata.name)).toEqual(['a']);
  });

  it('streams changes after a resourceVersion, and binds a claim', async () => {
    const created = (await (await call('/api/v1/namespaces/default/persistentvolumeclaims', { method: 'POST', body: JSON.stringify(claim('data')) })).json()) as { metadata: { resourceVersion: string } };
    const controller = new AbortController();
    const response = await call(`/api/v1/namespaces/default/persistentvolumeclaims?watch=1&resourceVersion=${created.metadata.resourceVersion}&fieldSelector=metadata.name%3Ddata`, { signal: controller.signal });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('\n')) text += (await reader.read()).value ?? '';
    controller.abort();
    const event = JSON.parse(text.split('\n')[0]!);
    expect(event).toMatchObject({ type: 'MODIFIED', object: { status: { phase: 'Bound' } } });
    expect(Number(event.object.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
  });

  it('keeps a deleted claim, marked, while a pod mounts it (pvc-protection), and removes it once the pod is gone', async () => {
    sim.createNamespace('ci');
    sim.createClaim('ci', 'data');
    // An owner keeps the simulated kubelet from running it.
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'user', namespace: 'ci', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'n' }] }, spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] }, status: { phase: 'Running' } };
    sim.store.create('pods', pod, new Date());
    const deleted = await call('/api/v1/namespaces/ci/persistentvolumeclaims/data', { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toMatchObject({ metadata: { deletionTimestamp: expect.any(String), finalizers: ['kubernetes.io/pvc-protection'] } });
    await new Promise((resume) => setTimeout(resume, 100));
    expect(sim.store.get('persistentvolumeclaims', 'ci', 'data')?.metadata.deletionTimestamp).toEqual(expect.any(String));
    sim.store.delete('pods', 'ci', 'user');
    await new Promise((resume) => setTimeout(resume, 100));
    expect(sim.store.get('persistentvolumeclaims', 'ci', 'data')).toBeUndefined();
  });

  describe('server-side apply', () => {
    const configMap = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data });
    const apply = (body: object, query: string) => call(`/api/v1/namespaces/default/configmaps/settings?${query}`, { method: 'PATCH', body: JSON.stringify(body), headers: { 'content-type': 'application/apply-patch+yaml' } });

    it('requires a field manager, as the API server does', async () => {
      const response = await apply(configMap({ a: '1' }), '');
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({ reason: 'Invalid', message: expect.stringContaining('fieldManager: Required value') });
    });

    it('creates, then removes the fields a manager stops applying, and refuses another manager\'s change without force', async () => {
      expect((await apply(configMap({ a: '1', b: '2' }), 'fieldManager=ci')).status).toBe(201);
      const second = (await (await apply(configMap({ a: '1' }), 'fieldManager=ci')).json()) as { data: object; metadata: { managedFields: Array<{ manager: string; fieldsV1: object }> } };
      expect(second.data).toEqual({ a: '1' });
      expect(second.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'ci', operation: 'Apply', fieldsV1: { 'f:data': { 'f:a': {} } } })]);
      const conflict = await apply(configMap({ a: 'other' }), 'fieldManager=someone');
      expect(conflict.status).toBe(409);
      expect(await conflict.json()).toMatchObject({ reason: 'Conflict', message: expect.stringContaining('conflict with "ci"') });
      const forced = (await (await apply(configMap({ a: 'other' }), 'fieldManager=someone&force=true')).json()) as { data: object; metadata: { managedFields: Array<{ manager: string }> } };
      expect(forced.data).toEqual({ a: 'other' });
    });
  });
});
