import { CONCOURSE_BASE_TYPE_REPOSITORIES } from '../../config/concourse-base-types.js';
import { WeirError } from '../../errors.js';
import type { TypeDeclaration } from './type-declaration.js';

/**
 * Where the base types' images come from, set by the operator: by default Docker Hub, or a
 * registry that mirrors the `concourse/*-resource` repositories under the same names.
 */
export interface BaseTypeMirror {
  /** `host[:port]`, optionally followed by a path prefix: `registry.example.com/dockerhub`. */
  registry: string;
  /** Plain HTTP, for a mirror without TLS (given as `http://...`). */
  insecure: boolean;
}

/**
 * Reads the operator's mirror setting (`weir up --resource-type-mirror`,
 * `WEIR_RESOURCE_TYPE_MIRROR`): `registry.example.com`, `https://registry.example.com/prefix`
 * or `http://127.0.0.1:5000` for a mirror without TLS.
 */
export function parseBaseTypeMirror(text: string): BaseTypeMirror {
  const match = /^(?:(https?):\/\/)?([^/\s:]+(?::\d+)?)((?:\/[\w.-]+)*)\/?$/.exec(text.trim());
  if (!match) {
    throw new WeirError('resource-type-mirror-invalid', `${JSON.stringify(text)} is not a registry to mirror resource type images from`, {
      location: 'resource type mirror',
      hint: 'give a registry host, optionally with a path and a scheme: registry.example.com, https://registry.example.com/mirror or http://127.0.0.1:5000',
    });
  }
  return { registry: `${match[2]}${match[3] ?? ''}`, insecure: match[1] === 'http' };
}

/**
 * The declaration weir uses for a Concourse base type it has no built-in for, which pipelines
 * name without declaring: a `registry-image` type, as a Concourse worker would have it.
 */
export function baseTypeDeclaration(name: string, mirror: BaseTypeMirror | undefined): TypeDeclaration | undefined {
  const repository = CONCOURSE_BASE_TYPE_REPOSITORIES[name];
  if (repository === undefined) return undefined;
  return {
    name,
    type: 'registry-image',
    source: {
      repository: mirror ? `${mirror.registry}/${repository}` : repository,
      tag: 'latest',
      ...(mirror?.insecure && { insecure: true }),
    },
    params: {},
    privileged: false,
    defaults: {},
  };
}
