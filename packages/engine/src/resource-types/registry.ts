import type { AnyResourceType } from '@weir/resources';
import type { BuiltinTypeSchemas, ResourceTypeCatalog } from '../config/concourse-base-types.js';
import { WeirError } from '../errors.js';
import { PipelineResourceTypes, type ImageTypeSupport } from './pipeline-types.js';

/**
 * Resource types by the names pipelines use for them, aliases included: weir's built-ins, and,
 * given the support to run images, the types pipelines declare and Concourse's base types.
 */
export class ResourceTypeRegistry {
  private readonly byName = new Map<string, AnyResourceType>();
  private readonly pipelines = new WeakMap<object, PipelineResourceTypes>();

  constructor(
    types: Iterable<AnyResourceType> = [],
    private readonly imageTypes?: ImageTypeSupport,
  ) {
    for (const type of types) this.register(type);
  }

  /**
   * The types a pipeline's resources use, its own declarations first. Kept per config object:
   * a build, and the checker until the pipeline changes, ask the same config many times.
   */
  forPipeline(pipelineConfig: unknown): PipelineResourceTypes {
    const key = typeof pipelineConfig === 'object' && pipelineConfig !== null ? pipelineConfig : undefined;
    const cached = key && this.pipelines.get(key);
    if (cached) return cached;
    const types = new PipelineResourceTypes(pipelineConfig, this.byName, this.imageTypes);
    if (key) this.pipelines.set(key, types);
    return types;
  }

  register(type: AnyResourceType): void {
    for (const name of [type.name, ...(type.aliases ?? [])]) {
      const existing = this.byName.get(name);
      if (existing && existing !== type) {
        throw new WeirError('resource-type-duplicate', `two resource types claim the name ${name}: ${existing.name} and ${type.name}`, {
          hint: 'give one of them another name',
        });
      }
      this.byName.set(name, type);
    }
  }

  /** What the validator should know of these types: their names, and what each accepts. */
  catalog(): ResourceTypeCatalog {
    const schemas = new Map<string, BuiltinTypeSchemas>();
    for (const [name, type] of this.byName) {
      schemas.set(name, {
        ...(type.sourceSchema && { source: type.sourceSchema }),
        ...(type.getParamsSchema && { getParams: type.getParamsSchema }),
        ...(type.putParamsSchema && { putParams: type.putParamsSchema }),
      });
    }
    return { builtin: new Set(this.byName.keys()), schemas };
  }

  get(name: string): AnyResourceType | undefined {
    return this.byName.get(name);
  }
}
