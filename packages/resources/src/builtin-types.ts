import type { AnyResourceType } from './interface.js';
import { cronResourceType } from './cron/index.js';
import { delayResourceType } from './delay/index.js';
import { gitResourceType } from './git/index.js';
import { gitBranchesResourceType } from './git-branches/index.js';
import { githubPrResourceType } from './github-pr/index.js';
import { kubernetesResourceType } from './kubernetes/index.js';
import { mockResourceType } from './mock/index.js';
import { notificationResourceType } from './notification/index.js';
import { registryImageResourceType } from './registry-image/index.js';
import { timeResourceType } from './time/index.js';
import { volumeSnapshotResourceType } from './volume-snapshot/index.js';

/** The built-in types that can run today; the engine's registry starts from these. */
export function implementedResourceTypes(): AnyResourceType[] {
  return [
    mockResourceType,
    timeResourceType,
    cronResourceType,
    gitResourceType,
    gitBranchesResourceType,
    registryImageResourceType,
    githubPrResourceType,
    volumeSnapshotResourceType,
    kubernetesResourceType,
    delayResourceType,
    notificationResourceType,
  ];
}
