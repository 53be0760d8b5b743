/** What a secret is replaced with, so a reader sees that a secret's value was there. */
export const REDACTED = '((redacted))';

/** Redacting one- or two-character values would blank out ordinary log text everywhere. */
export const MIN_SECRET_LENGTH = 3;

/**
 * The one path by which secret values are kept from readers: build output, events, errors,
 * version metadata, API views. Secrets are the values credential managers supplied and the
 * values `load_var` loaded without `reveal`; static vars are not secrets. One regular
 * expression for all of them keeps a task that prints a million lines cheap to redact.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | null = null;

  constructor(secrets: Iterable<string> = []) {
    this.add(secrets);
  }

  /**
   * Output is redacted line by line, so a secret of several lines (a private key) is added
   * line by line, as Concourse does.
   */
  add(values: Iterable<string>): void {
    const before = this.secrets.size;
    for (const value of values) {
      for (const line of value.split('\n')) {
        const trimmed = line.trim();
        if (trimmed.length >= MIN_SECRET_LENGTH) this.secrets.add(trimmed);
      }
    }
    if (this.secrets.size !== before) this.compile();
  }

  /** Adds every string and number inside a var's value (a mapping of fields, a list). */
  addValue(value: unknown): void {
    this.add(scalarsOf(value));
  }

  get empty(): boolean {
    return this.pattern === null;
  }

  redact(text: string): string {
    if (!this.pattern) return text;
    this.pattern.lastIndex = 0;
    return text.replace(this.pattern, REDACTED);
  }

  /** A copy of a JSON value with secrets replaced in its strings and keys, and numbers that are secrets. */
  redactValue<T>(value: T): T {
    if (!this.pattern) return value;
    const visit = (node: unknown): unknown => {
      if (typeof node === 'string') return this.redact(node);
      if (typeof node === 'number' && this.secrets.has(String(node))) return REDACTED;
      if (Array.isArray(node)) return node.map(visit);
      if (typeof node === 'object' && node !== null) {
        return Object.fromEntries(Object.entries(node).map(([key, child]) => [this.redact(key), visit(child)]));
      }
      return node;
    };
    return visit(value) as T;
  }

  /** An error as the engine log gets it: its message and stack redacted, since a reader of that log is a reader too. */
  redactError(error: unknown): { message: string; stack?: string; code?: unknown } {
    const { message, stack, code } = error instanceof Error ? (error as Error & { code?: unknown }) : { message: String(error), stack: undefined, code: undefined };
    return { message: this.redact(message), ...(stack !== undefined && { stack: this.redact(stack) }), ...(code !== undefined && { code }) };
  }

  private compile(): void {
    if (this.secrets.size === 0) {
      this.pattern = null;
      return;
    }
    // Longest first, so a secret containing another is redacted whole.
    const alternatives = [...this.secrets].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.pattern = new RegExp(alternatives.join('|'), 'g');
  }
}

function scalarsOf(value: unknown): string[] {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return [String(value)];
  if (Array.isArray(value)) return value.flatMap(scalarsOf);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(scalarsOf);
  return [];
}
