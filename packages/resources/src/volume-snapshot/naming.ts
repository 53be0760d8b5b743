import { createHash, randomBytes } from 'node:crypto';

/** The label every snapshot (and restored claim) this resource made carries. */
export const OWNER_LABEL = 'weir.dev/owner';
export const PIPELINE_LABEL = 'weir.dev/pipeline';
export const JOB_LABEL = 'weir.dev/job';
export const BUILD_LABEL = 'weir.dev/build';
export const RESTORED_FROM_LABEL = 'weir.dev/restored-from';
/** The engine's clock at creation, to the millisecond: the version's `created`. */
export const CREATED_ANNOTATION = 'weir.dev/created';

/**
 * The owner label value: a hash of what makes this resource's snapshots its own (driver,
 * namespace, claim or selector, local path, name prefix). Two resources with the same values
 * share their snapshots, exactly as two identical sources share one version history.
 */
export function ownerId(parts: { driver: string; namespace?: string; claims?: string; path?: string; namePrefix: string }): string {
  const identity = JSON.stringify([parts.driver, parts.namespace ?? '', parts.claims ?? '', parts.path ?? '', parts.namePrefix]);
  return createHash('sha256').update(identity).digest('hex').slice(0, 20);
}

/**
 * A snapshot's name: `<prefix>[<claim>-][<job>-<build>-]<yyyymmdd>-<hhmmss>-<random>`. A
 * snapshot taken by a build is named after it (a failed stage's snapshot says which build
 * failed); the time (UTC, from the engine's clock) makes names sort by age for people reading a
 * listing; the random part keeps two builds in the same second apart. Kept to 63 characters of
 * lowercase letters, digits, `-` and `.`, within every Kubernetes name rule.
 */
export function snapshotName(options: { prefix: string; claim?: string; build?: { job: string; name: string }; now: Date; random: string }): string {
  const stamp = options.now.toISOString().replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-');
  const suffix = `${stamp}-${options.random}`;
  const build = options.build ? `${namePart(options.build.job).slice(0, 24)}-${namePart(options.build.name)}-` : '';
  const head = `${options.prefix}${options.claim ? `${options.claim}-` : ''}${build}`.slice(0, 63 - suffix.length);
  return `${head}${suffix}`;
}

/** The build a snapshot is named after, when a build takes it. */
export function buildOf(ctx: { build?: { jobName: string; buildName: string } }): { build?: { job: string; name: string } } {
  return ctx.build ? { build: { job: ctx.build.jobName, name: ctx.build.buildName } } : {};
}

/** Job and build names may hold any character; a name part holds only what Kubernetes names allow. */
function namePart(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
}

/**
 * A label value from any text (pipeline and job names may hold spaces or slashes): at most 63
 * characters of `[A-Za-z0-9._-]`, starting and ending with a letter or digit, as Kubernetes
 * requires. The full text goes into annotations, which have no such rules.
 */
export function labelValue(text: string): string {
  return text
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[^A-Za-z0-9]+$/, '');
}

/** Five lowercase letters or digits: the part of a snapshot name that keeps same-second builds apart. */
export function randomSuffix(): string {
  return Array.from(randomBytes(5), (byte) => ALPHABET[byte % ALPHABET.length]).join('');
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
