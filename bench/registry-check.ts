/**
 * How long a registry-image check takes on a repository with 500 tags, against Debian's
 * `docker-registry` on 127.0.0.1. Prints figures and asserts nothing; see bench/README.md.
 */
import os from 'node:os';
import { Readable } from 'node:stream';
import { TokenCache } from '../packages/resources/src/registry-image/auth.js';
import { createRegistryImageType, type RegistryImageSource, type RegistryImageVersion } from '../packages/resources/src/registry-image/index.js';
import { mapConcurrently } from '../packages/resources/src/registry-image/limiter.js';
import { RegistryClient } from '../packages/resources/src/registry-image/registry-client.js';
import { parseRepository } from '../packages/resources/src/registry-image/reference.js';
import { buildImage, sha256 } from '../packages/resources/test/registry-image/support/images.js';
import { startRegistry } from '../packages/resources/test/registry-image/support/registry.js';
import { testContext } from '../packages/resources/test/support/context.js';

const TAGS = 500;
const ROUNDS = 7;

const registry = await startRegistry().catch((error: Error) => {
  console.error(`bench: cannot start docker-registry (apt-get install docker-registry): ${error.message}`);
  process.exit(1);
});

try {
  const repository = `${registry.host}/bench`;
  const versions = await seed(repository);
  const type = createRegistryImageType({ tokens: new TokenCache() });
  const ctx = testContext();
  const check = (source: Partial<RegistryImageSource>, from?: RegistryImageVersion) => type.check(ctx, { repository, insecure: true, ...source }, from);
  const newest = versions.at(-1) as RegistryImageVersion;
  const middle = versions[TAGS / 2] as RegistryImageVersion;

  const rows: Array<[string, number, number]> = [];
  const measure = async (name: string, run: () => Promise<unknown[]>): Promise<void> => {
    let reported = 0;
    reported = (await run()).length; // warm-up: JIT, connection pool
    const samples: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      await run();
      samples.push(performance.now() - started);
    }
    rows.push([name, median(samples), reported]);
  };

  await measure('semver mode, first check (no from)', () => check({}));
  await measure('semver mode, from the newest (nothing new)', () => check({}, newest));
  await measure('semver mode, from the middle', () => check({}, middle));
  await measure('semver mode, semver_constraint "~3.4"', () => check({ semver_constraint: '~3.4' }));
  await measure('tag_regex mode "^[0-9.]+$", no from', () => check({ tag_regex: '^[0-9.]+$' }));
  await measure('tag_regex mode, from the last tag', () => check({ tag_regex: '^[0-9.]+$' }, { tag: '5.9.9', digest: digestOf(versions, '5.9.9') }));
  await measure('tag mode (one HEAD)', () => check({ tag: newest.tag }));
  const paged = createRegistryImageType({ tokens: new TokenCache(), tagPageSize: 100 });
  await measure('semver mode, first check, 100 tags per page', () => paged.check(ctx, { repository, insecure: true }));

  console.log(`registry-image check on ${TAGS} tags (distinct digests), docker-registry on 127.0.0.1, ${os.cpus().length} cores, median of ${ROUNDS}`);
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, ms, reported] of rows) console.log(`  ${name.padEnd(width)}  ${ms.toFixed(1).padStart(7)} ms  ${String(reported).padStart(4)} versions`);
} finally {
  await registry.stop();
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function digestOf(versions: RegistryImageVersion[], tag: string): string {
  return (versions.find((version) => version.tag === tag) as RegistryImageVersion).digest;
}

/**
 * 500 tags 1.0.0 … 5.9.9, each its own image (one shared layer, a config that names the version),
 * pushed straight through the client: the bench is about checking, not about pushing.
 */
async function seed(repository: string): Promise<RegistryImageVersion[]> {
  const client = new RegistryClient({
    repository: parseRepository(repository),
    insecure: true,
    push: true,
    tokens: new TokenCache(),
    now: () => new Date(),
    signal: new AbortController().signal,
  });
  try {
    const base = await buildImage({ layers: [[{ path: 'etc/os-release', file: 'ID=bench\n' }]] });
    const layer = base.layers[0] as { digest: string; bytes: Buffer };
    await client.uploadBlob({ digest: layer.digest, size: layer.bytes.length, open: () => Readable.from([layer.bytes]) }, 1 << 20);
    return await mapConcurrently(Array.from({ length: TAGS }, (_, index) => index), 8, async (index) => {
      const tag = `${1 + Math.floor(index / 100)}.${Math.floor(index / 10) % 10}.${index % 10}`;
      const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: { version: tag } }, rootfs: { type: 'layers', diff_ids: [] } }));
      const configDigest = sha256(config);
      await client.uploadBlob({ digest: configDigest, size: config.length, open: () => Readable.from([config]) }, 1 << 20);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.bytes.length }],
        }),
      );
      return { tag, digest: await client.putManifest(tag, manifest, 'application/vnd.oci.image.manifest.v1+json') };
    });
  } finally {
    client.close();
  }
}
