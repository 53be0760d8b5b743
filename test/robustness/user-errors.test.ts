import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceError, implementedResourceTypes, type AnyResourceType } from '@weir/resources';
import { StepErrored } from '../../packages/engine/src/runner/step-errored.js';
import { testContext } from '../../packages/resources/test/support/context.js';
import { selfSignedCertificate } from '../../packages/resources/test/registry-image/support/certificates.js';
import { freshType, pushWithType } from '../../packages/resources/test/registry-image/support/fixtures.js';
import { buildImage, sha256, type BuiltImage } from '../../packages/resources/test/registry-image/support/images.js';
import { startRegistry, type RunningRegistry } from '../../packages/resources/test/registry-image/support/registry.js';
import { requireTools } from '../../packages/resources/test/registry-image/support/tools.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github/index.js';

/**
 * A failure caused by the pipeline's input, its configuration or a remote server is the user's
 * to fix, so weir reports it as such: a code and a hint, never "weir failed unexpectedly ... a bug
 * in weir". Each case drives one known failure path of a built-in resource type and asks the
 * engine's own classification (StepErrored.from, which every get and put goes through) what a
 * user would read.
 */

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'weir-user-errors-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const types = new Map(implementedResourceTypes().map((type) => [type.name, type]));
const typeNamed = (name: string): AnyResourceType => types.get(name) ?? expect.fail(`no built-in type ${name}`);

/** How the engine reports what `attempt` threw; fails the test if it did not throw at all. */
async function reported(attempt: () => Promise<unknown>): Promise<{ error: unknown; code: string; message: string; hint: string | undefined }> {
  const error = await attempt().then(
    () => expect.fail('expected a failure'),
    (thrown: unknown) => thrown,
  );
  const step = StepErrored.from(error, (text) => text);
  return { error, code: step.code, message: step.message, hint: step.hint };
}

function expectUserError(report: { error: unknown; code: string; message: string; hint: string | undefined }, code: RegExp | string): void {
  expect(report.code, report.message).not.toBe('internal-error');
  expect(report.code).toMatch(code);
  expect(report.hint, `${report.code} says what to do`).toMatch(/\S/);
  expect(`${report.message} ${report.hint}`).not.toMatch(/bug in weir|failed unexpectedly/);
}

const kubeconfig = (server: string, extra = ''): string =>
  ['apiVersion: v1', 'kind: Config', 'clusters:', '- name: c', '  cluster:', `    server: ${server}`, extra, 'users:', '- name: u', '  user: {token: t}', 'contexts:', '- name: x', '  context: {cluster: c, user: u}', 'current-context: x', ''].join('\n');

describe('known failure paths of the built-in resource types are user errors', () => {
  it('git: a repository that does not exist, and a server that does not answer', async () => {
    const git = typeNamed('git');
    const missing = await reported(() => git.check(testContext({ cacheDir: join(tempDir(), 'cache') }), { uri: join(tempDir(), 'nothing-here.git') }));
    expectUserError(missing, /^git-/);
    const unreachable = await reported(() => git.check(testContext({ cacheDir: join(tempDir(), 'cache') }), { uri: 'http://127.0.0.1:1/app.git' }));
    expectUserError(unreachable, /^git-/);
  });

  it('registry-image: a registry that does not answer', async () => {
    const report = await reported(() => freshType().check(testContext(), { repository: '127.0.0.1:1/app', insecure: true }));
    expectUserError(report, /^registry-image-/);
  });

  it('kubernetes and volume-snapshot: a kubeconfig that is not YAML, and one with a plain http:// server', async () => {
    const kubernetes = typeNamed('kubernetes');
    const snapshots = typeNamed('volume-snapshot');
    const notYaml = await reported(() => kubernetes.check(testContext(), { kubeconfig: 'clusters: [unclosed', workload: 'deployment/app' }));
    expectUserError(notYaml, 'kubernetes-kubeconfig-invalid');

    const plainHttp = await reported(() => kubernetes.check(testContext(), { kubeconfig: kubeconfig('http://127.0.0.1:1'), workload: 'deployment/app' }));
    expectUserError(plainHttp, 'kubernetes-kubeconfig-plain-http');
    expect(plainHttp.message).toContain('http://127.0.0.1:1');
    expect(plainHttp.hint).toContain('insecure-skip-tls-verify: true');

    const snapshotHttp = await reported(() => snapshots.check(testContext(), { driver: 'kubernetes', pvc: 'data', kubeconfig: kubeconfig('http://127.0.0.1:1') }));
    expectUserError(snapshotHttp, 'volume-snapshot-kubeconfig-plain-http');

    // With TLS verification off for the cluster, plain HTTP is allowed: what fails then is the unreachable server.
    const allowed = await reported(() => kubernetes.check(testContext(), { kubeconfig: kubeconfig('http://127.0.0.1:1', '    insecure-skip-tls-verify: true'), workload: 'deployment/app' }));
    expectUserError(allowed, 'kubernetes-api-unreachable');
  });

  it.skipIf(!requireTools(['openssl']))('kubernetes: an API server whose certificate the kubeconfig does not trust', async () => {
    const certificate = selfSignedCertificate(tempDir(), '127.0.0.1');
    const server = createHttpsServer({ cert: certificate.certPem, key: readFileSync(certificate.keyFile) }, (_request, response) => response.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const report = await reported(() => typeNamed('kubernetes').check(testContext(), { kubeconfig: kubeconfig(`https://127.0.0.1:${port}`), workload: 'deployment/app' }));
      expectUserError(report, 'kubernetes-api-certificate-untrusted');
      expect(report.hint).toContain('certificate-authority-data');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  describe('github-pr against the GitHub simulator', () => {
    let github: GitHubSimulator;
    beforeAll(async () => {
      github = await startGitHubSimulator();
    });
    afterAll(() => github.stop());

    it('a repository that is not there (404) and a token GitHub refuses (401)', async () => {
      const type = typeNamed('github-pr');
      const source = { repository: github.repository, access_token: github.token, v3_endpoint: github.apiUrl };
      const notFound = await reported(() => type.check(testContext({ cacheDir: join(tempDir(), 'cache') }), { ...source, repository: 'nobody/nothing' }));
      expectUserError(notFound, 'github-not-found');
      const refused = await reported(() => type.check(testContext({ cacheDir: join(tempDir(), 'cache') }), { ...source, access_token: 'not-a-token' }));
      expectUserError(refused, 'github-unauthorized');
    });
  });
});

const registryTools = requireTools(['docker-registry']);

describe.skipIf(!registryTools)('registry-image: an image whose layer is not a tar', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(() => registry.stop());

  /** A valid image whose second layer is gzipped text: its digest is right, its content is not a tar. */
  async function imageWithCorruptLayer(): Promise<BuiltImage> {
    const good = await buildImage({ layers: [[{ path: 'etc/os-release', file: 'ID=test\n' }], [{ path: 'placeholder', file: 'x' }]] });
    const bytes = gzipSync(Buffer.from('this is not a tar archive\n'.repeat(64)));
    const corrupt = { digest: sha256(bytes), bytes };
    const manifest = JSON.parse(good.manifest.toString()) as { layers: Array<{ digest: string; size: number }> };
    manifest.layers[1] = { ...manifest.layers[1]!, digest: corrupt.digest, size: bytes.length };
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    return { ...good, manifest: manifestBytes, digest: sha256(manifestBytes), layers: [good.layers[0]!, corrupt] };
  }

  it('names the image and the layer, and is the image owner\'s to fix', async () => {
    const type = freshType();
    const source = { repository: `${registry.host}/broken`, tag: 'v1', insecure: true };
    const image = await imageWithCorruptLayer();
    const digest = await pushWithType(type, source, image);
    const dir = tempDir();
    writeFileSync(join(dir, '.keep'), '');
    const report = await reported(() => type.get(testContext(), source, { digest, tag: 'v1' }, {}, dir));
    expectUserError(report, 'registry-image-layer-corrupt');
    expect(report.error).toBeInstanceOf(ResourceError);
    expect(report.message).toContain(`${registry.host}/broken@${digest} layer 2 of 2 (${image.layers[1]!.digest})`);
    expect(report.message).toContain('TAR_BAD_ARCHIVE');
  });
});
