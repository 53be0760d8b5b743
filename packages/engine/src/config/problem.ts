export type Severity = 'error' | 'warning';

export type PathSegment = string | number;

/**
 * One thing wrong (or suspicious) in a config file. Problems are data, never exceptions: a loader
 * returns every problem it found at once so a user fixes them in one round.
 */
export interface Problem {
  severity: Severity;
  /** Stable, kebab-case identifier; tests and tools match on it, never on the message. */
  code: string;
  message: string;
  /** Path into the document, e.g. ['jobs', 0, 'plan', 2, 'get']. */
  path: PathSegment[];
  /** Point at the key itself rather than its value (unknown and duplicate keys). */
  at?: 'key';
  /** Human path in Concourse's style: jobs.build.plan[2].get(repo). Filled in by the loader. */
  displayPath?: string;
  file?: string;
  line?: number;
  column?: number;
  offset?: number;
  endOffset?: number;
  /** What to do about it. */
  hint?: string;
}

export function error(code: string, path: PathSegment[], message: string, hint?: string): Problem {
  return hint === undefined ? { severity: 'error', code, path, message } : { severity: 'error', code, path, message, hint };
}

export function warning(code: string, path: PathSegment[], message: string, hint?: string): Problem {
  return hint === undefined ? { severity: 'warning', code, path, message } : { severity: 'warning', code, path, message, hint };
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
