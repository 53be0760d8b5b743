import type { AnyResourceType } from '@weir/resources';
import { WeirError } from '../errors.js';
import { canonicalJson } from '../store/canonical-json.js';
import { CONCOURSE_BASE_TYPE_REPOSITORIES } from '../config/concourse-base-types.js';
import { baseTypeDeclaration, type BaseTypeMirror } from './concourse/base-type-images.js';
import { imageResourceType } from './concourse/image-type.js';
import type { ResourceScriptRunner } from './concourse/script-runner.js';
import { readTypeDeclarations, type TypeDeclaration } from './concourse/type-declaration.js';
import type { TypeImageSource } from './concourse/type-image.js';

/** What running types from images takes: where their scripts run (the sandbox, or pods on the cluster), and their images, of the kind that runtime takes. */
export interface ImageTypeSupport {
  runner: ResourceScriptRunner;
  images: TypeImageSource;
  /** Where the Concourse base types' images come from, if not Docker Hub. */
  mirror?: BaseTypeMirror;
}

interface Resolved {
  type: AnyResourceType;
  builtin: boolean;
  /** Equal for types that do the same thing; part of the key of their image. */
  key: string;
}

/**
 * The resource types one pipeline sees, by name, as Concourse resolves them: a type declared
 * under `resource_types` first (even one with a built-in's name), then weir's built-ins, then
 * Concourse's base types, run from the images Concourse ships them in.
 */
export class PipelineResourceTypes {
  private readonly declarations: Map<string, TypeDeclaration>;
  private readonly resolved = new Map<string, Resolved>();

  constructor(
    pipelineConfig: unknown,
    private readonly builtins: ReadonlyMap<string, AnyResourceType>,
    private readonly support: ImageTypeSupport | undefined,
  ) {
    this.declarations = readTypeDeclarations(pipelineConfig);
  }

  require(name: string, location: string): AnyResourceType {
    return this.resolve(name, location, []).type;
  }

  /**
   * `within` holds the declared types whose image this lookup is for: a type's `type:` naming
   * itself (`registry-image` declared as a `registry-image`) means the type the worker has,
   * as in Concourse, and a longer loop is an error.
   */
  private resolve(name: string, location: string, within: readonly string[]): Resolved {
    const declaration = this.declarations.get(name);
    if (declaration && within.at(-1) !== name) {
      if (within.includes(name)) {
        throw new WeirError('resource-type-cycle', `resource types ${[...within, name].join(' → ')} fetch each other's images in a loop`, {
          location,
          hint: 'one of them must use a type that is not declared in the pipeline, such as registry-image',
        });
      }
      return this.imageType(declaration, location, within);
    }
    const builtin = this.builtins.get(name);
    if (builtin) return { type: builtin, builtin: true, key: `builtin:${name}` };
    const base = baseTypeDeclaration(name, this.support?.mirror);
    if (base) return this.imageType(base, location, within);
    throw new WeirError('resource-type-unavailable', `resource type ${name} is neither declared in the pipeline nor one weir knows`, {
      location,
      hint: `declare it under resource_types with the image that implements it; weir runs these without a declaration: ${[...this.builtins.keys(), ...Object.keys(CONCOURSE_BASE_TYPE_REPOSITORIES)].sort().join(', ')}`,
    });
  }

  private imageType(declaration: TypeDeclaration, location: string, within: readonly string[]): Resolved {
    const cached = this.resolved.get(declaration.name);
    if (cached) return cached;
    const support = this.support;
    if (!support) {
      throw new WeirError('resource-type-needs-sandbox', `resource type ${declaration.name} runs /opt/resource/* in its image, and this engine has no sandbox to run images in`, {
        location,
        hint: 'an engine runs resource type images when it is given a sandbox (the imageTypes of its resource type registry)',
      });
    }
    const fetcher = this.resolve(declaration.type, location, [...within, declaration.name]);
    const { defaults, checkEveryMs, ...identity } = declaration;
    const key = canonicalJson({ ...identity, defaults, fetcher: fetcher.key });
    const type = imageResourceType(declaration, {
      runner: support.runner,
      image: (ctx) => support.images.lease({ declaration, fetcher: fetcher.type, fetcherIsBuiltin: fetcher.builtin, key }, ctx),
    });
    const resolved = { type, builtin: false, key };
    this.resolved.set(declaration.name, resolved);
    return resolved;
  }
}
