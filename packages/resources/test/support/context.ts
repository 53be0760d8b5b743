import { tmpdir } from 'node:os';
import type { BuildMetadata, ResourceContext } from '../../src/interface.js';

export interface TestContext extends ResourceContext {
  /** Every line the type logged for the user, in order. */
  lines: string[];
  /** Every entry the type wrote to the engine's log, in order. */
  logged: LoggedEntry[];
  /** Moves the injected clock. */
  setNow(date: Date): void;
}

export interface LoggedEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: object;
  message?: string;
}

/** A ResourceContext as the engine builds one, with a clock the test controls. */
export function testContext(options: { now?: Date; cacheDir?: string; signal?: AbortSignal; build?: BuildMetadata; localPaths?: ResourceContext['localPaths'] } = {}): TestContext {
  let now = options.now ?? new Date();
  const lines: string[] = [];
  const logged: LoggedEntry[] = [];
  const at =
    (level: LoggedEntry['level']) =>
    (fields: object, message?: string) =>
      logged.push({ level, fields, ...(message !== undefined && { message }) });
  return {
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    signal: options.signal ?? new AbortController().signal,
    log: (line) => lines.push(line),
    redact: (text) => text,
    cacheDir: options.cacheDir ?? '/nonexistent',
    // Tests keep their directories under the temporary directory, as the engine allows by default.
    localPaths: options.localPaths ?? { roots: [tmpdir()], forbidden: [] },
    ...(options.build && { build: options.build }),
    now: () => now,
    lines,
    logged,
    setNow: (date) => {
      now = date;
    },
  };
}
