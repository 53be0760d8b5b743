export * from './interface.js';
export { confineLocalPath, isWithin, type LocalPathPolicy } from './local-paths.js';
export { parseGoDuration } from './go-duration.js';
export { BUILTIN_RESOURCE_TYPES, builtinResourceTypeNames, builtinResourceTypeCatalog, type BuiltinTypeSchemas } from './builtin-catalog.js';
export { implementedResourceTypes } from './builtin-types.js';
export { mockResourceType, type MockSource, type MockVersion } from './mock/index.js';
export { timeResourceType, type TimeSource, type TimeVersion } from './time/index.js';
export { cronResourceType, type CronSource, type CronVersion, type CatchUp } from './cron/index.js';
export { volumeSnapshotResourceType } from './volume-snapshot/index.js';
export { notificationResourceType, createNotificationType, type NotificationSource, type NotificationVersion, type NotificationPutParams } from './notification/index.js';
export { delayResourceType, type DelaySource, type DelayVersion, type DelayPutParams } from './delay/index.js';
export { kubernetesResourceType, type KubernetesSource, type KubernetesVersion, type KubernetesGetParams, type KubernetesPutParams } from './kubernetes/index.js';
export type { VolumeSnapshotSource, VolumeSnapshotVersion, VolumeSnapshotGetParams, VolumeSnapshotPutParams } from './volume-snapshot/index.js';
export {
  registryImageResourceType,
  createRegistryImageType,
  type RegistryImageSource,
  type RegistryImageVersion,
  type RegistryImageGetParams,
  type RegistryImagePutParams,
} from './registry-image/index.js';
export { gitResourceType, type GitSource, type GitVersion, type GitGetParams, type GitPutParams } from './git/index.js';
export { gitBranchesResourceType, type GitBranchesSource, type GitBranchesVersion, type BranchHead } from './git-branches/index.js';
export { githubPrResourceType, type GithubPrSource, type PrVersion, type GithubPrGetParams, type GithubPrPutParams } from './github-pr/index.js';
export { apiStatus, DEFAULT_CREDENTIALS_SWITCH, kubeClients, kubeFailure, type KubeClients, type KubeUser } from './kube/client.js';
