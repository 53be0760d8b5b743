import type { AnyResourceType, ResourceContext } from '@weir/resources';
import type { TypeDeclaration } from './type-declaration.js';

/** A resource type's image on this host, for the sandbox: its root filesystem and what its config says about running it. */
export interface HostTypeImage {
  where: 'host';
  /** Never changed by a script: it is shared by every run of the type. */
  rootfs: string;
  config: { env: Record<string, string>; user: string };
  /** What the image is, for messages: `registry.example.com/git-resource:1@sha256:...`. */
  description: string;
}

/**
 * A resource type's image by digest in its registry, for a cluster: its nodes pull it and apply
 * its config themselves, so nothing of it is on this host.
 */
export interface RegistryTypeImage {
  where: 'registry';
  /** `registry.example.com/git-resource@sha256:...` */
  reference: string;
  description: string;
}

/** Where a script runtime finds the image: each runtime takes the kind its image source gives. */
export type TypeImage = HostTypeImage | RegistryTypeImage;

/** A type's image held for one run: not evicted from the image cache until released. */
export type LeasedTypeImage = TypeImage & { release(): void };

/** A type's image as its declaration asks for it, with the type that fetches it. */
export interface TypeImageRequest {
  declaration: TypeDeclaration;
  /** The type named by `declaration.type`: a built-in (`registry-image`) or another declared type. */
  fetcher: AnyResourceType;
  /** Whether the fetcher is one of weir's built-ins, whose name alone says what it is. */
  fetcherIsBuiltin: boolean;
  /** Equal for equal declarations, including how their own images are fetched. */
  key: string;
}

/** Where declared types' images come from. */
export interface TypeImageSource {
  /** The image, held until `release`. */
  lease(request: TypeImageRequest, ctx: ResourceContext): Promise<LeasedTypeImage>;
}
