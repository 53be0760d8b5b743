/**
 * Label and field selectors as the API server reads them from `labelSelector` and
 * `fieldSelector`: comma-separated requirements that must all hold.
 */

type Requirement = (values: (key: string) => string | undefined) => boolean;

/** `app=db`, `app==db`, `app!=db`, `app in (a,b)`, `app notin (a,b)`, `app`, `!app`. */
export function parseLabelSelector(selector: string): Requirement[] {
  const requirements: Requirement[] = [];
  for (const term of splitTerms(selector)) {
    let match: RegExpMatchArray | null;
    if ((match = term.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const [, key, operator, list] = match as [string, string, string, string];
      const set = new Set(list.split(',').map((value) => value.trim()));
      requirements.push((values) => {
        const value = values(key);
        return operator === 'in' ? value !== undefined && set.has(value) : value === undefined || !set.has(value);
      });
    } else if ((match = term.match(/^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/))) {
      requirements.push(equality(match));
    } else if ((match = term.match(/^(!?)([\w./-]+)$/))) {
      const [, not, key] = match as [string, string, string];
      requirements.push((values) => (values(key) !== undefined) !== (not === '!'));
    } else {
      throw new Error(`unable to parse requirement: ${term}`);
    }
  }
  return requirements;
}

/** `metadata.name=x`, `involvedObject.kind!=Pod`: equality on dotted paths into the object. */
export function parseFieldSelector(selector: string): Requirement[] {
  return splitTerms(selector).map((term) => {
    const match = term.match(/^([\w.]+)\s*(==|=|!=)\s*(.*)$/);
    if (!match) throw new Error(`invalid field selector: ${term}`);
    return equality(match);
  });
}

export function matchesLabels(requirements: Requirement[], labels: Record<string, string> | undefined): boolean {
  return requirements.every((requirement) => requirement((key) => labels?.[key]));
}

export function matchesFields(requirements: Requirement[], object: unknown): boolean {
  return requirements.every((requirement) =>
    requirement((path) => {
      const value = path.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), object);
      return value === undefined ? undefined : String(value);
    }),
  );
}

function equality(match: RegExpMatchArray): Requirement {
  const [, key, operator, expected] = match as unknown as [string, string, string, string];
  return (values) => (values(key) === expected) === (operator !== '!=');
}

/** Commas inside `in (a,b)` do not split. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
    } else current += char;
  }
  if (current.trim()) terms.push(current.trim());
  return terms;
}
