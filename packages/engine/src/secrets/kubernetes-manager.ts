import { apiStatus, kubeClients, kubeFailure, type KubeClients, type KubeUser } from '@weir/resources';
import type { CredentialLookup, CredentialManager } from './credential-manager.js';
import type { VarSourceContext } from './var-source-managers.js';

const USER: KubeUser = { type: 'kubernetes-var-source', permissions: 'get on secrets in the team\'s namespace' };

/**
 * A `kubernetes` var source, looking up as Concourse's Kubernetes credential manager does: the
 * team's namespace (`namespace_prefix` + team, default `concourse-`), the Secret named
 * `PIPELINE.NAME` first, then `NAME`. A Secret with a `value` key is that value; otherwise its
 * keys are fields, `((k8s:name.key))`. `kubeconfig` is inline text (with inline credentials, as a
 * resource's); without it the engine's own credentials are used, unless the operator denies
 * that (WEIR_KUBERNETES_DEFAULT_CREDENTIALS=deny).
 */
export function kubernetesManager(config: Record<string, unknown>, context: VarSourceContext): CredentialManager {
  const prefix = typeof config.namespace_prefix === 'string' ? config.namespace_prefix : 'concourse-';
  const kubeconfig = typeof config.kubeconfig === 'string' ? config.kubeconfig : undefined;
  let clients: Promise<KubeClients> | undefined;
  return {
    description: context.description,
    cacheKey: context.cacheKey,
    cacheable: true,
    async lookup(secret): Promise<CredentialLookup> {
      clients ??= kubeClients(kubeconfig, USER);
      const { core } = await clients;
      const namespace = `${prefix}${context.team}`;
      const names = [`${context.pipeline}.${secret}`, secret];
      const tried = names.map((name) => `${namespace}/${name}`);
      for (const name of names) {
        let found;
        try {
          found = await core.readNamespacedSecret({ name, namespace });
        } catch (error) {
          if (apiStatus(error)?.code === 404) continue;
          throw kubeFailure(error, `${context.description}: reading secret ${namespace}/${name}`, USER);
        }
        const data = Object.fromEntries(Object.entries(found.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
        return { found: { value: Object.hasOwn(data, 'value') ? data.value : data, path: `${namespace}/${name}` }, tried };
      }
      return { tried };
    },
  };
}
