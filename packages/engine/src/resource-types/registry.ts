import type { AnyResourceType } from '@weir/resources';
import type { BuiltinTypeSchemas, ResourceTypeCatalog } from '../config/concourse-base-types.js';
import { WeirError } from '../errors.js';

/** Resource types by the names pipelines use for them, aliases included. */
export class ResourceTypeRegistry {
  private readonly byName = new Map<string, AnyResourceType>();

  constructor(types: Iterable<AnyResourceType> = []) {
    for (const type of types) this.register(type);
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

  require(name: string, location: string): AnyResourceType {
    const type = this.byName.get(name);
    if (!type) {
      throw new WeirError('resource-type-unavailable', `resource type ${name} cannot run in weir yet`, {
        location,
        hint: `weir runs these types: ${[...this.byName.keys()].sort().join(', ')}`,
      });
    }
    return type;
  }
}
