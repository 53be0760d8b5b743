import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeSimulator, type KubeSimulator } from '../../../../test/support/kube/simulator.js';
import { simulatorKubeconfig } from '../../../../test/support/kube/kubeconfig.js';
import { startVaultSimulator, type VaultSimulator } from '../../../../test/support/vault/simulator.js';
import { Redactor } from '../../src/secrets/redactor.js';
import { testEngine } from '../support/engine.js';
import { runJob } from '../support/builds.js';
import { mockPipeline as pipeline } from '../support/mock-pipeline.js';

let vault: VaultSimulator;
let kube: KubeSimulator;

beforeAll(async () => {
  vault = await startVaultSimulator();
  vault.mount('concourse', 2);
  vault.mount('kv1', 1);
  kube = await startKubeSimulator();
});

afterAll(async () => {
  await vault?.stop();
  await kube?.stop();
});

const echo = (params: string) => `  - task: show
    params: ${params}
    config:
      platform: linux
      run: {path: sh, args: [-c, 'echo "$A|$B|$C"']}`;

const lastLine = (logs: string[]) => logs.at(-1)?.replace(/^[^:]*: /, '');

/** Resolves `value` as a build of pipeline `p` in team main would. */
function resolveWith(engine: ReturnType<typeof testEngine>, varSources: unknown[], value: unknown, redactor = new Redactor()) {
  return engine.secrets.forPipeline({ team: 'main', name: 'p', config: { var_sources: varSources } }, redactor, new AbortController().signal).resolve(value, 'test');
}

describe('var source: vault', () => {
  it('reads KV v2 with a token and KV v1 through AppRole, with Concourse\'s lookup paths, and redacts both', async () => {
    vault.write('concourse', 'main/p/db', { password: 'v2-pipeline-pass', user: 'app' });
    vault.write('concourse', 'main/shared-token', { value: 'v2-team-token' });
    vault.write('kv1', 'ci/main/registry', { value: 'v1-registry-pass' });
    vault.addAppRole('role-1', 'secret-1');
    const engine = testEngine();
    const text = pipeline(
      echo('{A: ((v2:db.password)), B: ((v2:shared-token)), C: ((v1:registry))}'),
      `var_sources:
- name: v2
  type: vault
  config: {url: "${vault.url}", client_token: "${vault.rootToken}"}
- name: v1
  type: vault
  config:
    url: "${vault.url}"
    path_prefix: /kv1/ci
    auth_backend: approle
    auth_params: {role_id: role-1, secret_id: secret-1}
`,
    );
    const result = await runJob(engine, text);
    expect(result.build.status).toBe('succeeded');
    expect(lastLine(result.logs)).toBe('((redacted))|((redacted))|((redacted))');
    expect(vault.requests).toContain('POST /v1/auth/approle/login');
    expect(vault.requests).toContain('GET /v1/concourse/data/main/p/db');
    expect(vault.requests).toContain('GET /v1/kv1/ci/main/registry');
  });

  it('names the var, the source and every path tried when the secret is nowhere', async () => {
    const engine = testEngine();
    const sources = [{ name: 'v', type: 'vault', config: { url: vault.url, client_token: vault.rootToken, shared_path: 'shared' } }];
    await expect(resolveWith(engine, sources, '((v:nothing))')).rejects.toMatchObject({
      code: 'secret-not-found',
      message: '((v:nothing)) was not found in var source "v" (vault); tried concourse/main/p/nothing, concourse/main/nothing, concourse/shared/nothing',
      location: 'test',
    });
  });

  it('says Vault refused a bad token', async () => {
    const engine = testEngine();
    const sources = [{ name: 'v', type: 'vault', config: { url: vault.url, client_token: 'wrong' } }];
    await expect(resolveWith(engine, sources, '((v:x))')).rejects.toMatchObject({ code: 'vault-denied' });
  });

  it('reuses a found secret for the cache TTL, then looks it up again', async () => {
    let now = 1_000_000;
    vault.write('concourse', 'main/cached', { value: 'cached-1' });
    const engine = testEngine({ now: () => now, secretCacheTtlMs: 60_000 });
    const sources = [{ name: 'v', type: 'vault', config: { url: vault.url, client_token: vault.rootToken } }];
    const reads = () => vault.requests.filter((r) => r.includes('/main/cached') || r.includes('/main/p/cached')).length;
    const before = reads();
    expect(await resolveWith(engine, sources, '((v:cached))')).toBe('cached-1');
    const first = reads() - before;
    vault.write('concourse', 'main/cached', { value: 'cached-2' });
    now += 59_000;
    expect(await resolveWith(engine, sources, '((v:cached))')).toBe('cached-1');
    expect(reads() - before).toBe(first);
    now += 2_000;
    expect(await resolveWith(engine, sources, '((v:cached))')).toBe('cached-2');
  });
});

describe('var source: kubernetes', () => {
  it('reads the team namespace\'s PIPELINE.NAME secret before NAME, value or fields, and redacts them', async () => {
    kube.createNamespace('concourse-main');
    const secret = (name: string, stringData: Record<string, string>) =>
      fetch(`${kube.url}/api/v1/namespaces/concourse-main/secrets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${kube.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData }),
      });
    expect((await secret('p.db', { password: 'k8s-pipeline-pass' })).status).toBe(201);
    expect((await secret('db', { password: 'k8s-team-pass' })).status).toBe(201);
    expect((await secret('api-key', { value: 'k8s-team-api-key' })).status).toBe(201);
    const engine = testEngine();
    const text = pipeline(
      echo('{A: ((k8s:db.password)), B: ((k8s:api-key)), C: plain}'),
      `var_sources:
- name: k8s
  type: kubernetes
  config:
    kubeconfig: ${JSON.stringify(simulatorKubeconfig(kube))}
`,
    );
    const result = await runJob(engine, text);
    expect(result.build.status).toBe('succeeded');
    expect(lastLine(result.logs)).toBe('((redacted))|((redacted))|plain');
    const redactor = new Redactor();
    const sources = [{ name: 'k8s', type: 'kubernetes', config: { kubeconfig: simulatorKubeconfig(kube) } }];
    expect(await resolveWith(engine, sources, '((k8s:db.password))', redactor)).toBe('k8s-pipeline-pass');
    expect(redactor.redact('k8s-pipeline-pass')).toBe('((redacted))');
    await expect(resolveWith(engine, sources, '((k8s:missing))')).rejects.toMatchObject({
      code: 'secret-not-found',
      message: '((k8s:missing)) was not found in var source "k8s" (kubernetes); tried concourse-main/p.missing, concourse-main/missing',
    });
  });
});
