import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Tests run against the TypeScript sources, never a stale dist/: every entry point a workspace
 * package exports (`@weir/engine`, `@weir/engine/pipeline-config`, ...) resolves to the source
 * file its package.json names under the `weir-source` condition.
 */
function sourceAliases(): Array<{ find: RegExp; replacement: string }> {
  return ['engine', 'resources', 'cli'].flatMap((pkg) => {
    const manifest = JSON.parse(readFileSync(new URL(`./packages/${pkg}/package.json`, import.meta.url), 'utf8')) as { name: string; exports: Record<string, { 'weir-source': string }> };
    return Object.entries(manifest.exports).map(([subpath, targets]) => ({
      find: new RegExp(`^${`${manifest.name}${subpath.slice(1)}`.replace(/[/.]/g, '\\$&')}$`),
      replacement: fileURLToPath(new URL(`./packages/${pkg}/${targets['weir-source']}`, import.meta.url)),
    }));
  });
}

export default defineConfig({
  resolve: { alias: sourceAliases() },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
