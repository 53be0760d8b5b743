import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readArtifactText } from '../artifact-paths.js';
import { parseGoDuration } from '../go-duration.js';
import { ResourceError, type ResourceContext, type ResourceType, type Versioned } from '../interface.js';
import { kubeClientModule } from '../kube/client.js';
import { connect, DEFAULT_DELETE_KINDS, RolloutFailed, type Cluster } from './cluster.js';
import { readManifests } from './manifests.js';
import { rolloutState } from './rollout.js';
import { compileKubernetesSource, type CompiledKubernetesSource, type KubernetesSource } from './source.js';
import { kubernetesGetParamsSchema, kubernetesPutParamsSchema, kubernetesSourceSchema } from './source-schema.js';
import { workloadVersion, type KubernetesVersion } from './workload-version.js';

export type { KubernetesSource } from './source.js';
export type { KubernetesVersion } from './workload-version.js';

export type KubernetesGetParams = Record<string, never>;

export interface KubernetesPutParams {
  action?: 'apply' | 'delete';
  manifests?: string | string[];
  set_image?: { from?: string; image?: string; container?: string };
  wait?: boolean;
  timeout?: string;
  rollback_on_failure?: boolean;
  kinds?: string[];
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/**
 * Deploys to a namespace of a cluster: server-side apply, an image set to a digest, a wait for
 * the rollout with the reasons when it fails, a rollback; check and get report the live
 * Deployment, so a finished deploy can trigger the jobs that test it.
 */
export const kubernetesResourceType: ResourceType<KubernetesSource, KubernetesVersion, KubernetesGetParams, KubernetesPutParams> = {
  name: 'kubernetes',
  description: 'Deploys to Kubernetes: server-side apply of manifests (field manager weir), an image set to a digest, a wait for the rollout, rollback on failure, deletion by label; versions are the live Deployment\'s images and generation.',
  sourceSchema: kubernetesSourceSchema,
  getParamsSchema: kubernetesGetParamsSchema,
  putParamsSchema: kubernetesPutParamsSchema,

  async check(ctx, source, from) {
    const compiled = compileKubernetesSource(source);
    if (compiled.workload === undefined) {
      ctx.log('no `workload` in the source: nothing to check (a put still applies and deletes)');
      return [];
    }
    const cluster = await connect(compiled, ctx);
    const live = await cluster.readDeployment(compiled.workload);
    // A rollout under way is not a version yet: tests triggered by it would test a mix of old and new pods.
    if (!live || !rolloutState(live).done) return from ? [{ version: from }] : [];
    return [workloadVersion(live)];
  },

  async get(ctx, source, version, _params, dir) {
    const compiled = compileKubernetesSource(source);
    if (compiled.workload === undefined) {
      throw new ResourceError('kubernetes-no-workload', 'a get of a kubernetes resource needs `workload` in the source', 'set `workload: deployment/<name>`, or set `no_get: true` on a put of a resource without one');
    }
    const cluster = await connect(compiled, ctx);
    const live = await cluster.readDeployment(compiled.workload);
    if (!live) {
      throw new ResourceError('kubernetes-workload-missing', `the Deployment ${cluster.namespace}/${compiled.workload} does not exist`, 'it was deleted since the version was found; deploy it again');
    }
    const current = workloadVersion(live);
    if (!sameVersion(version, current.version)) {
      ctx.log(`the Deployment has moved on since this version: it is now at generation ${(current.version as { generation: string }).generation}; workload.yaml shows it as it is live`);
    }
    const { dumpYaml } = await kubeClientModule();
    const { managedFields: _managedFields, ...metadata } = (live.metadata ?? {}) as Record<string, unknown>;
    await writeFile(join(dir, 'workload.yaml'), dumpYaml({ apiVersion: 'apps/v1', kind: 'Deployment', ...live, metadata }));
    await writeFile(join(dir, 'version.json'), `${JSON.stringify(version, null, 2)}\n`);
    ctx.log(`fetched Deployment ${cluster.namespace}/${compiled.workload} (workload.yaml, version.json)`);
    return { version, metadata: current.metadata ?? [] };
  },

  async put(ctx, source, params, workdir) {
    const compiled = compileKubernetesSource(source);
    const cluster = await connect(compiled, ctx);
    if (params.action === 'delete') return deleteLabelled(ctx, cluster, compiled, params);
    return apply(ctx, cluster, compiled, params, workdir);
  },
};

async function apply(ctx: ResourceContext, cluster: Cluster, source: CompiledKubernetesSource, params: KubernetesPutParams, workdir: string): Promise<Versioned<KubernetesVersion>> {
  if (params.manifests === undefined && params.set_image === undefined) {
    throw new ResourceError('kubernetes-nothing-to-apply', 'the put has neither `manifests` nor `set_image`', 'set `manifests: <artifact>/<path>` to apply files, `set_image: {from: <registry-image get>}` to change the workload\'s image, or `action: delete`');
  }
  if (params.set_image !== undefined && source.workload === undefined) {
    throw new ResourceError('kubernetes-no-workload', '`set_image` needs `workload` in the source', 'set `workload: deployment/<name>` in the source');
  }
  const timeoutMs = params.timeout === undefined ? DEFAULT_TIMEOUT_MS : (parseGoDuration(params.timeout) ?? DEFAULT_TIMEOUT_MS);
  const objects = params.manifests === undefined ? [] : await readManifests(workdir, Array.isArray(params.manifests) ? params.manifests : [params.manifests]);
  const image = params.set_image === undefined ? undefined : await imageReference(params.set_image, workdir);
  const deployments = [...new Set([...objects.filter(({ object }) => object.kind === 'Deployment' && object.apiVersion === 'apps/v1').map(({ object }) => object.metadata.name), ...(image !== undefined ? [source.workload as string] : [])])];
  // What was live before, for a rollback: read before anything changes.
  const before = new Map(await Promise.all(deployments.map(async (name) => [name, await cluster.readDeployment(name)] as const)));

  for (const { file, object } of objects) {
    await cluster.apply(object);
    ctx.log(`applied ${object.kind} ${cluster.namespace}/${object.metadata.name} (${file})`);
  }
  if (image !== undefined) await cluster.setImage(source.workload as string, params.set_image?.container, image);

  if (params.wait !== false) {
    for (const name of deployments) {
      ctx.log(`waiting for the rollout of ${name}`);
      try {
        await cluster.waitForRollout(name, timeoutMs);
      } catch (error) {
        if (!(error instanceof RolloutFailed)) throw error;
        const reasons = await cluster.diagnose(name);
        for (const line of reasons) ctx.log(`  ${line}`);
        const rolledBack = params.rollback_on_failure === true ? await rollBack(ctx, cluster, before, timeoutMs) : '';
        throw new ResourceError(
          'kubernetes-rollout-failed',
          `the rollout of Deployment ${cluster.namespace}/${name} failed: ${error.reason}${reasons.length > 0 ? `\n${reasons.map((line) => `  ${line}`).join('\n')}` : ''}${rolledBack}`,
          params.rollback_on_failure === true ? 'the conditions and events above say why; fix the manifest or image and deploy again' : 'the conditions and events above say why; set `rollback_on_failure: true` to put back what was live when a rollout fails',
        );
      }
      ctx.log(`${name} rolled out`);
    }
  }

  if (source.workload !== undefined) {
    const live = await cluster.readDeployment(source.workload);
    if (live) return workloadVersion(live);
  }
  const digest = createHash('sha256')
    .update(JSON.stringify(objects.map(({ object }) => object)))
    .update(image ?? '')
    .digest('hex');
  return { version: { applied: `sha256:${digest}` }, metadata: [{ name: 'objects', value: objects.map(({ object }) => `${object.kind}/${object.metadata.name}`).join(', ') }] };
}

async function rollBack(ctx: ResourceContext, cluster: Cluster, before: ReadonlyMap<string, Awaited<ReturnType<Cluster['readDeployment']>>>, timeoutMs: number): Promise<string> {
  const done: string[] = [];
  for (const [name, previous] of before) {
    if (previous) {
      await cluster.restore(previous);
      ctx.log(`rolled back ${name} to its spec of generation ${previous.metadata?.generation ?? '?'}`);
      try {
        await cluster.waitForRollout(name, timeoutMs);
        done.push(`${name} is back as it was`);
      } catch (error) {
        if (!(error instanceof RolloutFailed)) throw error;
        done.push(`${name} was put back, but that rollout failed too: ${error.reason}`);
      }
    } else {
      await cluster.delete({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      ctx.log(`deleted ${name}, which this put created`);
      done.push(`${name}, new in this put, was deleted`);
    }
  }
  return `\nrolled back: ${done.join('; ')}`;
}

async function deleteLabelled(ctx: ResourceContext, cluster: Cluster, source: CompiledKubernetesSource, params: KubernetesPutParams): Promise<Versioned<KubernetesVersion>> {
  if (Object.keys(source.labels).length < 2) {
    throw new ResourceError('kubernetes-delete-without-labels', 'a delete needs `labels` in the source', 'set `labels` (e.g. `{app: shop, env: pr-((pr))}`): weir deletes the objects that carry all of them, which its puts labelled');
  }
  const found = await cluster.listLabelled(params.kinds ?? DEFAULT_DELETE_KINDS, source.labels);
  for (const object of found) {
    await cluster.delete(object);
    ctx.log(`deleted ${object.kind} ${cluster.namespace}/${object.name}`);
  }
  ctx.log(`deleted ${found.length} object(s) labelled ${Object.entries(source.labels).map(([key, value]) => `${key}=${value}`).join(',')}`);
  return { version: { applied: `deleted:${ctx.now().toISOString()}` }, metadata: [{ name: 'deleted', value: String(found.length) }] };
}

/** `repo@sha256:...` from a registry-image get's `repository` and `digest` files, or the reference given. */
async function imageReference(setImage: NonNullable<KubernetesPutParams['set_image']>, workdir: string): Promise<string> {
  if ((setImage.from === undefined) === (setImage.image === undefined)) {
    throw new ResourceError('kubernetes-set-image-target', '`set_image` needs exactly one of `from` and `image`', 'set `from: <registry-image get step>` to deploy the digest that get fetched, or `image: repo@sha256:...`');
  }
  if (setImage.image !== undefined) return setImage.image;
  const from = setImage.from as string;
  const errors = {
    outside: () => new ResourceError('kubernetes-path-outside', `\`set_image.from: ${from}\` leaves the build's artifacts`, 'name the get step of a registry-image resource'),
    missing: () => new ResourceError('kubernetes-set-image-from', `${from} has no \`repository\` and \`digest\` files`, 'point `set_image.from` at the artifact of a get of a registry-image resource'),
  };
  const [repository, digest] = await Promise.all([readArtifactText(workdir, join(from, 'repository'), errors), readArtifactText(workdir, join(from, 'digest'), errors)]);
  return `${repository.trim()}@${digest.trim()}`;
}

function sameVersion(a: KubernetesVersion, b: KubernetesVersion): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
