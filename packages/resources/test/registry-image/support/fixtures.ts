import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenCache } from '../../../src/registry-image/auth.js';
import { createRegistryImageType, type RegistryImageSource } from '../../../src/registry-image/index.js';
import { testContext, type TestContext } from '../../support/context.js';
import { buildImage, writeOciLayout, type BuiltImage, type BuiltIndex } from './images.js';

/** Temp dirs made by a test file, removed by `cleanup()` in afterAll/afterEach. */
export function tempDirs(): { make(prefix?: string): string; cleanup(): void } {
  const dirs: string[] = [];
  return {
    make(prefix = 'weir-registry-image-test-') {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    cleanup() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The type with its own token cache (so tests do not share tokens) and optional small limits. */
export function freshType(options: { uploadChunkBytes?: number; tagPageSize?: number } = {}): ReturnType<typeof createRegistryImageType> {
  return createRegistryImageType({ ...options, tokens: new TokenCache() });
}

/** The engine's context as tests build it (clock, signal, recorded log lines). */
export const context = testContext;

/** Puts `image` (as an OCI layout) to the source's tag and any `also` tags; returns its digest. */
export async function pushWithType(
  type: ReturnType<typeof createRegistryImageType>,
  source: RegistryImageSource,
  image: BuiltImage | BuiltIndex,
  options: { also?: string[]; ctx?: TestContext } = {},
): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'weir-registry-image-put-'));
  try {
    writeOciLayout(join(work, 'image'), image);
    if (options.also) writeFileSync(join(work, 'tags'), options.also.join('\n'));
    const result = await type.put(options.ctx ?? context(), source, { image: 'image', ...(options.also && { additional_tags: 'tags' }) }, work);
    return result.version.digest;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A one-layer image whose label makes its digest unique. */
export function labelledImage(label: string): Promise<BuiltImage> {
  return buildImage({ layers: [[{ path: 'etc/os-release', file: 'ID=test\n' }]], labels: { 'weir.test': label } });
}
