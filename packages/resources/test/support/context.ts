import { tmpdir } from 'node:os';
import type { BuildMetadata, ResourceContext } from '../../src/interface.js';

export interface TestContext extends ResourceContext {
  /** Every line the type logged for the user, in order. */
  lines: string[];
  /** Moves the injected clock. */
  setNow(date: Date): void;
}

/** A ResourceContext as the engine builds one, with a clock the test controls. */
export function testContext(options: { now?: Date; cacheDir?: string; signal?: AbortSignal; build?: BuildMetadata; localPaths?: ResourceContext['localPaths'] } = {}): TestContext {
  let now = options.now ?? new Date();
  const lines: string[] = [];
  return {
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    signal: options.signal ?? new AbortController().signal,
    log: (line) => lines.push(line),
    redact: (text) => text,
    cacheDir: options.cacheDir ?? '/nonexistent',
    // Tests keep their directories under the temporary directory, as the engine allows by default.
    localPaths: options.localPaths ?? { roots: [tmpdir()], forbidden: [] },
    ...(options.build && { build: options.build }),
    now: () => now,
    lines,
    setNow: (date) => {
      now = date;
    },
  };
}
