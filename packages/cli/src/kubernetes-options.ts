import { CliError } from './cli-error.js';

/** Where tasks with one tag go on the cluster, as `--kubernetes-tag` says. */
export interface KubernetesTagPlacement {
  namespace?: string;
  nodeSelector?: Record<string, string>;
}

const TAG_SHAPE = 'write --kubernetes-tag NAME=namespace=NS,node.LABEL=VALUE (either part may be left out, node. repeated), e.g. gpu=namespace=ci-gpu,node.accelerator=nvidia';

/**
 * `--kubernetes-tag gpu=namespace=ci-gpu,node.accelerator=nvidia`: a task with `tags: [gpu]`
 * runs as a pod in namespace ci-gpu on nodes labelled accelerator=nvidia. Pure.
 */
export function parseKubernetesTag(text: string): [string, KubernetesTagPlacement] {
  const at = text.indexOf('=');
  const name = at === -1 ? text : text.slice(0, at);
  if (name === '') throw new CliError(`--kubernetes-tag ${text} names no tag`, TAG_SHAPE);
  const placement: KubernetesTagPlacement = {};
  const rest = at === -1 ? '' : text.slice(at + 1);
  for (const part of rest === '' ? [] : rest.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (eq === -1 || value === '') throw new CliError(`--kubernetes-tag ${text}: "${part}" is not KEY=VALUE`, TAG_SHAPE);
    if (key === 'namespace') placement.namespace = value;
    else if (key.startsWith('node.') && key.length > 5) placement.nodeSelector = { ...placement.nodeSelector, [key.slice(5)]: value };
    else throw new CliError(`--kubernetes-tag ${text}: "${key}" is neither namespace nor node.LABEL`, TAG_SHAPE);
  }
  return [name, placement];
}
