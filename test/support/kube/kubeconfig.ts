import type { KubeSimulator } from './simulator.js';

/** A kubeconfig with inline credentials for the simulator, as a user would paste into a ((var)). */
export function simulatorKubeconfig(simulator: Pick<KubeSimulator, 'url' | 'token'>, namespace?: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: sim',
    '  cluster:',
    `    server: ${simulator.url}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: ci',
    '  user:',
    `    token: ${simulator.token}`,
    'contexts:',
    '- name: sim',
    '  context:',
    '    cluster: sim',
    '    user: ci',
    ...(namespace !== undefined ? [`    namespace: ${namespace}`] : []),
    'current-context: sim',
    '',
  ].join('\n');
}
