import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testContext, type TestContext } from '../../support/context.js';

/** Temporary directories for one test file, removed by `cleanup()` (call it in afterEach). */
export class Scratch {
  private readonly roots: string[] = [];

  /** A new empty directory. */
  dir(label = 'dir'): string {
    const dir = mkdtempSync(join(tmpdir(), `weir-git-test-${label}-`));
    this.roots.push(dir);
    return dir;
  }

  /** An empty directory at `path` (inside a scratch directory), e.g. an artifact of a build. */
  subdir(parent: string, name: string): string {
    const dir = join(parent, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** A context with its own (not yet existing) cache directory, as the engine gives a resource history. */
  context(options: { signal?: AbortSignal; cacheDir?: string } = {}): TestContext {
    return testContext({ cacheDir: options.cacheDir ?? join(this.dir('cache'), 'history'), ...(options.signal && { signal: options.signal }) });
  }

  cleanup(): void {
    for (const dir of this.roots.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
