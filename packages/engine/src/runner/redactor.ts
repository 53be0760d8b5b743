import { MIN_SECRET_LENGTH } from '../config/vars.js';

/**
 * Replaces secrets in build output. Secrets are the values a pipeline's vars supplied and the
 * values `load_var` loaded without `reveal`. One regular expression for all of them keeps a
 * task that prints a million lines cheap to redact.
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

  redact(text: string): string {
    if (!this.pattern) return text;
    this.pattern.lastIndex = 0;
    return text.replace(this.pattern, '((redacted))');
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
