/**
 * Run by in-cluster.test.ts inside a mount namespace that holds a service account at
 * /var/run/secrets/kubernetes.io/serviceaccount, the way a pod sees one: takes a snapshot with a
 * source that names neither a kubeconfig nor a namespace, checks, and prints both results as JSON.
 */
import { volumeSnapshotResourceType as type } from '../../../src/volume-snapshot/index.js';
import { testContext } from '../../support/context.js';

const source = { driver: 'kubernetes' as const, pvc: 'db' };
const build = { buildId: 3, buildName: '3', jobName: 'backup', pipelineName: 'shop', teamName: 'main', url: 'http://weir/builds/3' };
try {
  const put = await type.put(testContext({ build }), source, {}, process.cwd());
  const check = await type.check(testContext(), source);
  process.stdout.write(JSON.stringify({ put: put.version, check: check.map((entry) => entry.version) }));
} catch (error) {
  const { code, message } = error as { code?: string; message: string };
  process.stdout.write(JSON.stringify({ error: { code, message } }));
}
