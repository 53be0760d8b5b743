import type { JsonSchema } from '../interface.js';

const credentials = {
  username: { type: 'string', description: 'The user to sign in to the registry as; with `password`. Needed for private repositories and for put.' },
  password: { type: 'string', description: 'The password (or access token) of `username`. Never logged.' },
};

const platform: JsonSchema = {
  type: 'object',
  description: 'Which image of a multi-platform index a rootfs or oci get fetches. Default: linux/amd64. The version digest stays the index\'s.',
  additionalProperties: false,
  properties: {
    os: { type: 'string', description: 'The operating system, e.g. linux. Default: linux.' },
    architecture: { type: 'string', description: 'The CPU architecture, e.g. amd64 or arm64. Default: amd64.' },
    variant: { type: 'string', description: 'The CPU variant, e.g. v7 for arm; when unset, any variant matches.' },
  },
};

export const registryImageSourceSchema: JsonSchema = {
  type: 'object',
  description: 'An image repository in an OCI distribution registry (Concourse registry-image-resource fields).',
  required: ['repository'],
  additionalProperties: false,
  properties: {
    repository: {
      type: 'string',
      minLength: 1,
      description: 'The repository, with its registry host (`ghcr.io/owner/app`, `127.0.0.1:5000/app`); a name without a host is on Docker Hub (`alpine`, `owner/app`).',
    },
    tag: {
      type: ['string', 'number'],
      description: 'Tag mode: check reports the digest this tag points at, and every put pushes it. Without `tag` and `tag_regex`, check reports semver tags.',
    },
    tag_regex: { type: 'string', description: 'Regex mode (when `tag` is unset): check reports every tag matching this regular expression, in the registry\'s list order.' },
    semver_constraint: { type: 'string', description: 'Semver mode: only versions in this range, e.g. "~1.2" or ">= 1.2 < 3.0.0 || >= 4.2.3".' },
    variant: { type: 'string', description: 'Semver mode: only tags with this suffix (`1.2.3-alpine` for `alpine`); a put of `version` pushes the tag with the suffix.' },
    pre_releases: { type: 'boolean', description: 'Semver mode: also report pre-releases starting with alpha, beta or rc. Default: false.' },
    ...credentials,
    insecure: { type: 'boolean', description: 'Talk to the registry over plain HTTP (a local registry on 127.0.0.1). Default: false (HTTPS).' },
    platform,
    ca_certs: {
      type: 'array',
      description: 'PEM CA certificates to trust for the registry, in addition to the system ones (a registry with a self-signed or private-CA certificate).',
      items: { type: 'string', description: 'One PEM-encoded certificate.' },
    },
    debug: { type: 'boolean', description: 'Accepted for compatibility with Concourse; has no effect.' },
  },
};

export const registryImageGetParamsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    format: {
      enum: ['rootfs', 'oci', 'oci-layout'],
      description: 'rootfs (default): the image unpacked in rootfs/ with metadata.json; oci: image.tar (OCI layout and docker manifest.json); oci-layout: an OCI layout directory oci/ with every platform.',
    },
    skip_download: { type: 'boolean', description: 'Write only the repository, tag and digest files; fetch nothing. Enough for `promote`.' },
    platform: { ...platform, description: 'Overrides the source\'s `platform` for this get.' },
    ...credentials,
  },
};

export const registryImagePutParamsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    image: {
      type: 'string',
      description: 'The image to push: an OCI layout directory or an OCI/docker image tarball; a glob (* ? [...]) that must match exactly one path.',
    },
    promote: {
      type: 'string',
      description: 'weir extension: the directory of a get of a registry-image resource in the same registry; its digest is re-tagged here without moving layers (certify, then promote). Instead of `image`.',
    },
    version: { type: 'string', description: 'A semantic version to push as a tag (normalized, e.g. v1.2 → 1.2.0), with the source\'s `variant` suffix.' },
    bump_aliases: { type: 'boolean', description: 'With `version`: also move 1.2, 1 and latest (or the variant) when this version is the newest of each.' },
    additional_tags: { type: 'string', description: 'A file with more tags to push, separated by whitespace.' },
    ...credentials,
  },
};
