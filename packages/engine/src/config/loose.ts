/**
 * Semantic rules run even when the schema found problems, so that a user sees every mistake in
 * one pass. These readers let them look at a config that may have any shape without throwing.
 */
export type LooseRecord = Record<string, unknown>;

export function asRecord(value: unknown): LooseRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as LooseRecord) : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Items of a list that are mappings, with their index. */
export function records(value: unknown): Array<[number, LooseRecord]> {
  const out: Array<[number, LooseRecord]> = [];
  asArray(value).forEach((item, index) => {
    const record = asRecord(item);
    if (record) out.push([index, record]);
  });
  return out;
}
