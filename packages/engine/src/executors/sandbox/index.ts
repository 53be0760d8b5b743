export { bubblewrapArgs, type RootEntry, type SandboxLayout, type SandboxMount } from './bubblewrap-args.js';
export { listRootEntries, runSandboxed, type SandboxCommand, type SandboxExit } from './sandbox-process.js';
export { parseImageMetadata, readImageDirectory, type ImageConfig, type ImageDirectory } from './image-directory.js';
export { ImageStore, type ImageFetcher, type ImageLease, type ImageStoreOptions } from './image-store.js';
export { imageKey, leaseImageResource, type ImageResource, type ImageResourceLease, type ImageResourceRequest } from './image-resource.js';
export { resolveImageUser, type SandboxUser } from './image-user.js';
export { probeSandbox } from './sandbox-support.js';
