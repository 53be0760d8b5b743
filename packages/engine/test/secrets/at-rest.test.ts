import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeSimulator, type KubeSimulator } from '../../../../test/support/kube/simulator.js';
import { simulatorKubeconfig } from '../../../../test/support/kube/kubeconfig.js';
import { startVaultSimulator, type VaultSimulator } from '../../../../test/support/vault/simulator.js';
import { tempDataDir, testEngine } from '../support/engine.js';
import { followBuild } from '../support/builds.js';

let vault: VaultSimulator;
let kube: KubeSimulator;

beforeAll(async () => {
  vault = await startVaultSimulator();
  vault.mount('concourse', 2);
  kube = await startKubeSimulator();
});

afterAll(async () => {
  await vault?.stop();
  await kube?.stop();
});

/** One secret per source, each distinctive enough that any copy of it is found. */
const SECRETS = {
  store: 'weir-store-secret-5a1b9c',
  pipelineStore: 'weir-pipeline-secret-7d2e4f',
  vault: 'vault-kv2-secret-3c8d1a',
  kubernetes: 'kube-secret-9e4f2b',
  dummy: 'dummy-secret-6b3a7c',
  loaded: 'loaded-var-secret-2f9e8d',
};

const PIPELINE = `
var_sources:
- name: vault
  type: vault
  config: {url: "VAULT_URL", client_token: "((vault_token))"}
- name: k8s
  type: kubernetes
  config: {kubeconfig: "((kubeconfig))"}
- name: dummy
  type: dummy
  config: {vars: {word: ((dummy_source_secret))}}
resources:
- name: repo
  type: mock
  source:
    initial_version: v1
    create_files: {token.txt: ((loaded_secret))}
    metadata: [{name: seen, value: "((pipeline_secret))"}]
- name: noted
  type: mock
  source:
    no_initial_version: true
    metadata: [{name: note, value: "((store_secret)) ((vault:app.password))"}]
- name: failing
  type: mock
  source: {check_failure: "((k8s:deploy.token))"}
jobs:
- name: job
  plan:
  - get: repo
  - load_var: loaded
    file: repo/token.txt
  - task: use-every-secret
    params:
      STORE: ((store_secret))
      PIPELINE: ((pipeline_secret))
      VAULT: ((vault:app.password))
      KUBE: ((k8s:deploy.token))
      DUMMY: ((dummy:word))
      LOADED: ((.:loaded))
    config:
      platform: linux
      outputs: [{name: out}]
      run:
        path: sh
        args: [-c, 'echo "$STORE $PIPELINE $VAULT $KUBE $DUMMY $LOADED"; echo "$STORE $VAULT $KUBE" > out/copy.txt; echo "$KUBE" >&2']
  - put: noted
    params: {version: v2}
  - task: fail-with-secret
    config:
      platform: linux
      run: {path: sh, args: [-c, 'echo ((dummy:word)); exit 1']}
- name: checks
  plan:
  - get: failing
`;

/** The files under `dir` that hold `needle`, whatever their format (database pages, WAL, caches, logs). */
function filesHolding(dir: string, needle: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => readFileSync(file).includes(needle));
}

describe('secrets at rest', () => {
  it('leaves no secret of any source in any file of the data directory after a full run', async () => {
    vault.write('concourse', 'main/app', { password: SECRETS.vault });
    kube.createNamespace('concourse-main');
    const created = await fetch(`${kube.url}/api/v1/namespaces/concourse-main/secrets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${kube.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'deploy' }, stringData: { token: SECRETS.kubernetes } }),
    });
    expect(created.status).toBe(201);

    const dataDir = tempDataDir();
    const engine = testEngine({ dataDir });
    const { builtin } = engine.secrets;
    builtin.set({ team: 'main', pipeline: '', name: 'store_secret' }, SECRETS.store);
    builtin.set({ team: 'main', pipeline: 'app', name: 'pipeline_secret' }, SECRETS.pipelineStore);
    builtin.set({ team: 'main', pipeline: '', name: 'vault_token' }, vault.rootToken);
    builtin.set({ team: 'main', pipeline: '', name: 'kubeconfig' }, simulatorKubeconfig(kube));
    // A dummy source's values are in its config: here they come from the store, as a var source's config may.
    builtin.set({ team: 'main', pipeline: '', name: 'dummy_source_secret' }, SECRETS.dummy);
    builtin.set({ team: 'main', pipeline: '', name: 'loaded_secret' }, SECRETS.loaded);
    engine.setPipeline({ name: 'app', text: PIPELINE.replace('VAULT_URL', vault.url) });
    engine.start();
    const pipeline = engine.store.pipelines.get({ name: 'app' })!;
    const failing = engine.store.resources.get(pipeline.id, 'failing')!;
    expect((await engine.checker.checkResource(failing.id)).error).toContain('((redacted))');
    const build = await followBuild(engine, engine.triggerJob(engine.store.jobs.get(pipeline.id, 'job')!.id).id);

    // The build used every secret, and a reader saw none of them.
    expect(build.build.status).toBe('failed');
    const shown = JSON.stringify(build.events);
    expect(build.logs).toContainEqual(expect.stringMatching(/: (\(\(redacted\)\) ){5}\(\(redacted\)\)$/));
    for (const secret of Object.values(SECRETS)) expect(shown).not.toContain(secret);
    await engine.stop();

    const found = Object.fromEntries(Object.entries(SECRETS).map(([source, secret]) => [source, filesHolding(dataDir, secret)]));
    expect(found).toEqual({ store: [], pipelineStore: [], vault: [], kubernetes: [], dummy: [], loaded: [] });
    expect(filesHolding(dataDir, vault.rootToken)).toEqual([]);
  });
});
