import * as client from '@kubernetes/client-node';

interface Attribute {
  baseName: string;
  type: string;
}

type Model = { attributeTypeMap?: Attribute[] };

/**
 * Where a JSON object the simulator serves differs from the Kubernetes OpenAPI description, as
 * @kubernetes/client-node's models are generated from it: a field the type does not have, or a
 * value of the wrong JSON type. Each problem is `path: what`.
 */
export function shapeProblems(value: unknown, type: string, path = '$'): string[] {
  if (value === undefined || value === null) return [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return typeof value === 'object' && !Array.isArray(value) ? Object.entries(value as object).flatMap(([key, item]) => shapeProblems(item, map[1]!, `${path}.${key}`)) : [`${path}: not an object`];
  const list = /^Array<(.+)>$/.exec(type);
  if (list) return Array.isArray(value) ? value.flatMap((item, index) => shapeProblems(item, list[1]!, `${path}[${index}]`)) : [`${path}: not an array`];
  if (type === 'string' || type === 'Date') return typeof value === 'string' ? [] : [`${path}: not a string`];
  if (type === 'number') return typeof value === 'number' ? [] : [`${path}: not a number`];
  if (type === 'boolean') return typeof value === 'boolean' ? [] : [`${path}: not a boolean`];
  if (type === 'any' || type === 'object' || type === 'IntOrString') return [];
  const model = (client as unknown as Record<string, Model | undefined>)[type];
  if (!model?.attributeTypeMap) return [];
  if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: not a ${type}`];
  const attributes = new Map(model.attributeTypeMap.map((attribute) => [attribute.baseName, attribute.type]));
  return Object.entries(value as object).flatMap(([key, item]) => {
    const itemType = attributes.get(key);
    return itemType === undefined ? [`${path}.${key}: not a field of ${type}`] : shapeProblems(item, itemType, `${path}.${key}`);
  });
}
