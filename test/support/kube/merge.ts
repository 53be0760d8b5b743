/**
 * The merge rules the API server uses for server-side apply and strategic merge patch, for the
 * fields the simulator's resources have: maps merge key by key, lists of objects that the
 * published schema marks with a merge key (`x-kubernetes-list-map-keys`, `patchMergeKey`) merge
 * item by item, every other list is atomic and replaced whole.
 */

/** Merge keys of the keyed lists in core/v1 and apps/v1 objects, by the list's field name. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
  // Container ports merge by containerPort, Service ports by port.
  ports: 'containerPort',
};

type Json = unknown;
type Fields = Record<string, Json>;

function isMap(value: Json): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function mergeKeyOf(field: string, items: Json[]): string | undefined {
  const key = field === 'ports' && items.every((item) => isMap(item) && 'port' in item && !('containerPort' in item)) ? 'port' : MERGE_KEYS[field];
  return key !== undefined && items.every((item) => isMap(item) && key in item) ? key : undefined;
}

/** `applied` over `live`: the result of an apply or a strategic merge patch (without `$patch` directives). */
export function mergeObjects(live: Fields, applied: Fields): Fields {
  const merged: Fields = { ...live };
  for (const [field, value] of Object.entries(applied)) {
    const current = live[field];
    if (value === null) delete merged[field];
    else if (isMap(value) && isMap(current)) merged[field] = mergeObjects(current, value);
    else if (Array.isArray(value) && Array.isArray(current) && mergeKeyOf(field, [...value, ...current])) {
      const key = mergeKeyOf(field, [...value, ...current]) as string;
      const result = current.map((item) => {
        const update = value.find((candidate) => (candidate as Fields)[key] === (item as Fields)[key]);
        return update ? mergeObjects(item as Fields, update as Fields) : item;
      });
      for (const item of value) if (!current.some((existing) => (existing as Fields)[key] === (item as Fields)[key])) result.push(item);
      merged[field] = result;
    } else merged[field] = structuredClone(value);
  }
  return merged;
}

/** RFC 7386 JSON merge patch: maps merge, null deletes, lists are replaced. */
export function jsonMergePatch(live: Json, patch: Json): Json {
  if (!isMap(patch)) return structuredClone(patch);
  const result: Fields = isMap(live) ? { ...live } : {};
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete result[field];
    else result[field] = jsonMergePatch(result[field], value);
  }
  return result;
}

/**
 * The fields an applied configuration sets, as paths (`.spec.template.spec.containers[name=app].image`),
 * the simulator's reading of managedFields' FieldsV1.
 */
export function fieldPaths(applied: Json, prefix = ''): string[] {
  if (!isMap(applied)) return [prefix];
  const paths: string[] = [];
  for (const [field, value] of Object.entries(applied)) {
    const at = `${prefix}.${field}`;
    if (isMap(value) && Object.keys(value).length > 0) paths.push(...fieldPaths(value, at));
    else if (Array.isArray(value) && value.length > 0 && mergeKeyOf(field, value)) {
      const key = mergeKeyOf(field, value) as string;
      for (const item of value) paths.push(`${at}[${key}=${String((item as Fields)[key])}]`, ...fieldPaths(item, `${at}[${key}=${String((item as Fields)[key])}]`).filter((path) => !path.endsWith(`.${key}`)));
    } else paths.push(at);
  }
  return paths;
}

/** Removes each path (as `fieldPaths` writes them) from `object`, in place. */
export function removePaths(object: Fields, paths: string[]): void {
  // Longest first, so an item's fields go before the item itself.
  for (const path of [...paths].sort((a, b) => b.length - a.length)) {
    const steps = path.match(/\.[^.[]+|\[[^\]]+\]/g) ?? [];
    let parent: Json = object;
    for (const step of steps.slice(0, -1)) parent = descend(parent, step);
    const last = steps[steps.length - 1];
    if (last === undefined || parent === undefined) continue;
    if (last.startsWith('.') && isMap(parent)) delete parent[last.slice(1)];
    else if (last.startsWith('[') && Array.isArray(parent)) {
      const [key, value] = last.slice(1, -1).split('=') as [string, string];
      const index = parent.findIndex((item) => String((item as Fields)[key]) === value);
      if (index >= 0) parent.splice(index, 1);
    }
  }
}

function descend(at: Json, step: string): Json {
  if (step.startsWith('.')) return isMap(at) ? at[step.slice(1)] : undefined;
  if (!Array.isArray(at)) return undefined;
  const [key, value] = step.slice(1, -1).split('=') as [string, string];
  return at.find((item) => String((item as Fields)[key]) === value);
}

/** Paths as managedFields publish them: FieldsV1, `{"f:spec": {"f:replicas": {}}}`, keyed items as `k:{"name":"app"}`. */
export function toFieldsV1(paths: string[]): Fields {
  const root: Fields = {};
  for (const path of paths) {
    let at = root;
    for (const step of path.match(/\.[^.[]+|\[[^\]]+\]/g) ?? []) {
      const name = step.startsWith('.') ? `f:${step.slice(1)}` : keyedName(step);
      at = (at[name] ??= {}) as Fields;
    }
  }
  return root;
}

/** The paths a FieldsV1 document names, as `fieldPaths` writes them. */
export function fromFieldsV1(fields: Fields, prefix = ''): string[] {
  const paths: string[] = [];
  for (const [name, inner] of Object.entries(fields)) {
    if (name === '.') continue;
    const at = name.startsWith('f:') ? `${prefix}.${name.slice(2)}` : `${prefix}[${Object.entries(JSON.parse(name.slice(2)) as Fields).map(([key, value]) => `${key}=${String(value)}`).join(',')}]`;
    const below = isMap(inner) ? fromFieldsV1(inner, at) : [];
    paths.push(...(below.length === 0 || name.startsWith('k:') ? [at] : []), ...below);
  }
  return paths;
}

function keyedName(step: string): string {
  const [key, value] = step.slice(1, -1).split('=') as [string, string];
  return `k:${JSON.stringify({ [key]: /^\d+$/.test(value) ? Number(value) : value })}`;
}
