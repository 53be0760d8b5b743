import { execFile, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeSimulator, type KubeSimulator } from '../../../../test/support/kube/simulator.js';
import { selfSignedCertificate, type Certificate } from '../registry-image/support/certificates.js';

const REPO = fileURLToPath(new URL('../../../..', import.meta.url));
const CHILD = fileURLToPath(new URL('./support/in-cluster-child.ts', import.meta.url));
const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * A pod's view needs a private mount namespace (root's `unshare`, util-linux) and a certificate
 * (openssl). Missing either skips with a message here and fails under CI.
 */
function podViewAvailable(): boolean {
  const problems: string[] = [];
  if (spawnSync('openssl', ['version'], { stdio: 'ignore' }).status !== 0) problems.push('openssl is not installed (apt-get install openssl)');
  if (spawnSync('unshare', ['--mount', '--propagation', 'private', 'true'], { stdio: 'ignore' }).status !== 0) problems.push('`unshare --mount` is not allowed here (it needs root)');
  if (problems.length === 0) return true;
  if (process.env.CI === 'true') throw new Error(`in-cluster tests cannot run: ${problems.join('; ')}`);
  console.warn(`skipping in-cluster volume-snapshot tests: ${problems.join('; ')}`);
  return false;
}

/**
 * Runs the child as a process in a pod runs: the service account mounted where the client looks
 * for it, KUBERNETES_SERVICE_HOST/PORT set, no kubeconfig anywhere.
 */
function runInPod(serviceAccountDir: string, home: string, port: number): Promise<{ put?: { name: string }; check?: Array<{ name: string }>; error?: { code?: string; message: string } }> {
  const mountAndRun = `mount -t tmpfs tmpfs /var/run && mkdir -p ${SERVICE_ACCOUNT} && mount --bind "$1" ${SERVICE_ACCOUNT} && shift && exec "$@"`;
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(port) };
  delete env.KUBECONFIG;
  const args = ['--mount', '--propagation', 'private', 'sh', '-c', mountAndRun, 'sh', serviceAccountDir, process.execPath, '--import', 'tsx', '--conditions=weir-source', CHILD];
  return new Promise((resolve, reject) => {
    execFile('unshare', args, { cwd: REPO, env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`the pod process failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

describe.runIf(podViewAvailable())('volume-snapshot in a pod (in-cluster configuration)', () => {
  let dir: string;
  let apiCertificate: Certificate;
  let sim: KubeSimulator;
  let port: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weir-in-cluster-'));
    apiCertificate = selfSignedCertificate(dir, 'kube-apiserver');
    sim = await startKubeSimulator({ token: 'service-account-token', tls: { key: await readFile(apiCertificate.keyFile, 'utf8'), cert: apiCertificate.certPem } });
    port = Number(new URL(sim.url).port);
    sim.createNamespace('shop');
    sim.createClaim('shop', 'db', { size: '1Gi' });
    await mkdir(join(dir, 'home'));
  });

  afterAll(async () => {
    await sim?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function serviceAccount(name: string, ca: string): Promise<string> {
    const account = join(dir, name);
    await mkdir(account);
    await writeFile(join(account, 'token'), 'service-account-token');
    await writeFile(join(account, 'ca.crt'), ca);
    await writeFile(join(account, 'namespace'), 'shop');
    return account;
  }

  it('uses the service account: its token, its CA, and its namespace when the source names none', async () => {
    const result = await runInPod(await serviceAccount('account', apiCertificate.certPem), join(dir, 'home'), port);
    expect(result.error).toBeUndefined();
    expect(result.put?.name).toMatch(/^db-backup-3-/);
    expect(result.check).toEqual([result.put]);
    expect(sim.store.get('volumesnapshots', 'shop', result.put!.name)).toBeDefined();
    expect(sim.store.list('volumesnapshots', 'default')).toEqual([]);
  });

  it('verifies the API server against the service account\'s CA', async () => {
    const stranger = selfSignedCertificate(dir, 'stranger');
    const result = await runInPod(await serviceAccount('wrong-ca', stranger.certPem), join(dir, 'home'), port);
    expect(result.error?.message).toMatch(/certificate/i);
  });
});
