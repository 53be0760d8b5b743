export { KubernetesExecutor } from './kubernetes-executor.js';
export { DEFAULT_HELPER_IMAGE, placeByTags, type KubernetesExecutorOptions, type KubernetesPlacement } from './kubernetes-options.js';
