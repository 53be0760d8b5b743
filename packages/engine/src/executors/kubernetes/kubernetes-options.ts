import { WeirError } from '../../errors.js';
import type { Logger } from '../../logging.js';

/** Where tasks with a tag run: an operator's mapping, documented by `weir up --help`. */
export interface KubernetesPlacement {
  namespace?: string;
  nodeSelector?: Record<string, string>;
}

export interface KubernetesExecutorOptions {
  /** A kubeconfig file; without it the client's defaults (in a pod: its service account). */
  kubeconfig?: string;
  /** Where task pods go; default the kubeconfig context's namespace. */
  namespace?: string;
  /** An image with sh, tar, find, chmod, chown and sleep (busybox) for the pod's helpers. */
  helperImage?: string;
  /** Marks this engine's pods, so its start deletes only what an earlier run of it left. Default `weir`. */
  engineId?: string;
  /** Task pods at once across all builds; more wait their turn. Default 32. */
  maxConcurrentTasks?: number;
  /** `privileged: true` is run as a privileged container; otherwise it errors. */
  allowPrivileged?: boolean;
  /** How long a pod may stay unschedulable (a cluster autoscaler may add a node) before the build errors. Default 60 s. */
  unschedulableAfterMs?: number;
  /** Each tag a task may carry, and where it sends the task. */
  tags?: Record<string, KubernetesPlacement>;
  nodeSelector?: Record<string, string>;
  logger: Logger;
}

export interface CompiledKubernetesOptions {
  kubeconfig: string | undefined;
  namespace: string | undefined;
  helperImage: string;
  engineId: string;
  maxConcurrentTasks: number;
  allowPrivileged: boolean;
  unschedulableAfterMs: number;
  tags: Record<string, KubernetesPlacement>;
  nodeSelector: Record<string, string>;
  logger: Logger;
}

export const DEFAULT_HELPER_IMAGE = 'busybox:1.37';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function compileKubernetesOptions(options: KubernetesExecutorOptions): CompiledKubernetesOptions {
  const maxConcurrentTasks = options.maxConcurrentTasks ?? 32;
  if (!Number.isInteger(maxConcurrentTasks) || maxConcurrentTasks < 1) {
    throw new WeirError('executor-option-invalid', `the Kubernetes concurrency cap is ${maxConcurrentTasks}; it must be a whole number of at least 1`, { hint: 'leave it unset for 32 pods at once' });
  }
  const unschedulableAfterMs = options.unschedulableAfterMs ?? 60_000;
  if (!Number.isFinite(unschedulableAfterMs) || unschedulableAfterMs < 0) {
    throw new WeirError('executor-option-invalid', `unschedulableAfterMs is ${unschedulableAfterMs}; it must be 0 or more milliseconds`, { hint: 'leave it unset for a minute' });
  }
  const namespaces = [options.namespace, ...Object.values(options.tags ?? {}).map((placement) => placement.namespace)].filter((name): name is string => name !== undefined);
  for (const namespace of namespaces) {
    if (!DNS_LABEL.test(namespace)) {
      throw new WeirError('executor-option-invalid', `"${namespace}" is not a Kubernetes namespace name`, { hint: 'a namespace is lowercase letters, digits and -, at most 63 characters' });
    }
  }
  const engineId = options.engineId ?? 'weir';
  if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(engineId)) {
    throw new WeirError('executor-option-invalid', `the engine id "${engineId}" cannot be a label value`, { hint: 'use letters, digits, -, _ and ., at most 63 characters' });
  }
  return {
    kubeconfig: options.kubeconfig,
    namespace: options.namespace,
    helperImage: options.helperImage ?? DEFAULT_HELPER_IMAGE,
    engineId,
    maxConcurrentTasks,
    allowPrivileged: options.allowPrivileged ?? false,
    unschedulableAfterMs,
    tags: options.tags ?? {},
    nodeSelector: options.nodeSelector ?? {},
    logger: options.logger.child({ component: 'kubernetes-executor' }),
  };
}

/**
 * Where a task with these tags runs: each tag's namespace (all tags naming one must agree) and
 * the union of their node selectors over the default's. A tag the operator never mapped errors,
 * as a Concourse task whose tag no worker has would wait forever.
 */
export function placeByTags(tags: readonly string[], options: Pick<CompiledKubernetesOptions, 'tags' | 'namespace' | 'nodeSelector'>, defaultNamespace: string, location: string): { namespace: string; nodeSelector: Record<string, string> } {
  let namespace: string | undefined;
  const nodeSelector = { ...options.nodeSelector };
  for (const tag of tags) {
    const placement = options.tags[tag];
    if (placement === undefined) {
      const known = Object.keys(options.tags);
      throw new WeirError('task-tag-unknown', `tag "${tag}" names no place this engine runs tasks`, {
        location,
        hint: known.length > 0 ? `the tags this engine maps are: ${known.join(', ')}` : 'this engine maps no tags: remove tags from the step, or start weir up with --kubernetes-tag NAME=namespace=...,node.LABEL=VALUE',
      });
    }
    if (placement.namespace !== undefined) {
      if (namespace !== undefined && namespace !== placement.namespace) {
        throw new WeirError('task-tags-conflict', `the task's tags send it to two namespaces (${namespace} and ${placement.namespace})`, { location, hint: 'give the task tags that agree on one namespace' });
      }
      namespace = placement.namespace;
    }
    Object.assign(nodeSelector, placement.nodeSelector ?? {});
  }
  return { namespace: namespace ?? options.namespace ?? defaultNamespace, nodeSelector };
}
