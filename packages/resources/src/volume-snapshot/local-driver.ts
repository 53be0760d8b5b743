import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ResourceError, type ResourceContext } from '../interface.js';
import { confineLocalPath, isWithin, type LocalPathPolicy } from '../local-paths.js';
import type { RestoreRequest, SnapshotDriver, SnapshotRecord } from './driver.js';
import { buildOf, randomSuffix, snapshotName } from './naming.js';
import type { LocalSource } from './source.js';
import { copyTree } from './tree-copy.js';
import { replaceDirectory } from './directory-swap.js';

/** `<store>/<name>.json`: written last, so a snapshot with metadata is complete. */
interface LocalMetadata {
  name: string;
  created: string;
  owner: string;
  source: string;
  mode: string;
  files: number;
  bytes: number;
  pipeline?: string;
  job?: string;
  build?: string;
  build_url?: string;
}

/** `path` and `store` as real paths, each checked against the engine's local path policy. */
interface ConfinedPaths {
  path: string;
  store: string;
}

/**
 * Snapshots of a directory on this machine, kept as sibling directories in `store`. Every path
 * is resolved (symlinks included) and confined to the operator's roots before it is used.
 */
export function localDriver(source: LocalSource, ctx: ResourceContext): SnapshotDriver {
  let confined: Promise<ConfinedPaths> | undefined;
  const paths = (): Promise<ConfinedPaths> => (confined ??= confinePaths(source, ctx.localPaths));
  const metadataPath = async (name: string): Promise<string> => join((await paths()).store, `${checkedName(name)}.json`);
  const treePath = async (name: string): Promise<string> => join((await paths()).store, checkedName(name));

  const read = async (name: string): Promise<SnapshotRecord | undefined> => {
    let text: string;
    try {
      text = await readFile(await metadataPath(name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return toRecord(JSON.parse(text) as LocalMetadata, source.owner);
  };

  return {
    async listOwned() {
      const { store } = await paths();
      let entries: string[];
      try {
        entries = await readdir(store);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      // The store may hold files weir did not write: one of those must not fail every check.
      const foreign: string[] = [];
      const records = await Promise.all(
        entries
          .filter((entry) => entry.endsWith('.json') && !entry.startsWith('.'))
          .map(async (entry) => {
            const name = entry.slice(0, -'.json'.length);
            if (SNAPSHOT_NAME.test(name)) {
              try {
                return await read(name);
              } catch (error) {
                if (!(error instanceof SyntaxError)) throw error;
              }
            }
            foreign.push(entry);
            return undefined;
          }),
      );
      if (foreign.length > 0) ctx.log(`ignored ${foreign.length} file${foreign.length === 1 ? '' : 's'} in ${store} that ${foreign.length === 1 ? 'is' : 'are'} not snapshot metadata: ${foreign.sort().join(', ')}`);
      return records.filter((record): record is SnapshotRecord => record !== undefined && record.owned);
    },

    find: read,

    async create() {
      const { path, store } = await paths();
      await requireDirectory(path, 'source.path');
      if (isWithin(store, path)) {
        throw new ResourceError('volume-snapshot-store-inside-path', `the store ${store} is inside the snapshotted directory ${path}`, 'put `store` outside `path`, or every snapshot would contain the ones before it');
      }
      await mkdir(store, { recursive: true });
      const now = ctx.now();
      // Checked before any path is built from it: a prefix with `/..` would copy outside the store.
      const name = checkedName(snapshotName({ prefix: source.namePrefix, ...buildOf(ctx), now, random: randomSuffix() }));
      // Copy into a hidden directory and rename: a crash leaves no half snapshot that looks whole.
      const partial = join(store, `.${name}.partial`);
      let copied;
      try {
        copied = await copyTree(path, partial, source.mode, ctx.signal);
        await rename(partial, await treePath(name));
      } catch (error) {
        await rm(partial, { recursive: true, force: true });
        throw error;
      }
      const metadata: LocalMetadata = {
        name,
        created: now.toISOString(),
        owner: source.owner,
        source: source.path,
        mode: source.mode,
        files: copied.files,
        bytes: copied.bytes,
        ...(ctx.build && { pipeline: ctx.build.pipelineName, job: ctx.build.jobName, build: ctx.build.buildName, build_url: ctx.build.url }),
      };
      await writeFile(join(store, `.${name}.json.partial`), `${JSON.stringify(metadata, null, 2)}\n`);
      await rename(join(store, `.${name}.json.partial`), await metadataPath(name));
      const linked = copied.linked > 0 ? `, ${copied.linked} hard-linked` : '';
      const skipped = copied.skipped > 0 ? `, ${copied.skipped} special files skipped` : '';
      ctx.log(`snapshot ${name}: ${copied.files} files, ${copied.bytes} bytes (${source.mode}${linked}${skipped})`);
      return [toRecord(metadata, source.owner)];
    },

    async delete(name) {
      // The metadata first: without it the snapshot is gone for check, even if removing the tree is cut short.
      await rm(await metadataPath(name), { force: true });
      await rm(await treePath(name), { recursive: true, force: true });
    },

    async restore(snapshot, request) {
      const target = restoreTarget(await confineRestoreTarget(request, ctx.localPaths), await paths(), request.overwrite === true);
      const snapshotTree = await treePath(snapshot.name);
      const existing = await readdir(target).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (existing && existing.length > 0) {
        if (request.keepExisting) {
          ctx.log(`kept ${target} as it is (it is not empty, and keep_existing is set): ${snapshot.name} was not restored`);
          return [
            { name: 'restored_to', value: target },
            { name: 'kept_existing', value: 'true' },
          ];
        }
        if (!request.overwrite) {
          throw new ResourceError('volume-snapshot-restore-target-not-empty', `the restore target ${target} is not empty`, 'restore into an empty or missing directory, set `overwrite: true` to replace what it holds, or `keep_existing: true` to leave it as it is');
        }
        const replaced = await replaceDirectory(target, ctx.localPaths, (fresh) => copyTree(snapshotTree, fresh, 'reflink-or-copy', ctx.signal));
        ctx.log(`replaced ${target} with ${snapshot.name}: ${replaced.files} files, ${replaced.bytes} bytes`);
        return [
          { name: 'restored_to', value: target },
          { name: 'files', value: String(replaced.files) },
          { name: 'overwritten', value: 'true' },
        ];
      }
      // Always a copy (or a clone), never a link: writes in the restored directory must not reach the snapshot.
      const copied = await copyTree(snapshotTree, target, 'reflink-or-copy', ctx.signal);
      ctx.log(`restored ${snapshot.name} into ${target}: ${copied.files} files, ${copied.bytes} bytes`);
      return [
        { name: 'restored_to', value: target },
        { name: 'files', value: String(copied.files) },
      ];
    },

    async getFiles() {
      return {};
    },
  };
}

function toRecord(metadata: LocalMetadata, owner: string): SnapshotRecord {
  const details: Record<string, string> = { driver: 'local', source_path: metadata.source, mode: metadata.mode, files: String(metadata.files) };
  for (const key of ['pipeline', 'job', 'build'] as const) if (metadata[key] !== undefined) details[key] = metadata[key];
  return { name: metadata.name, created: metadata.created, ready: true, source: metadata.source, restoreSize: String(metadata.bytes), owned: metadata.owner === owner, details };
}

async function confinePaths(source: LocalSource, policy: LocalPathPolicy): Promise<ConfinedPaths> {
  return { path: await confineLocalPath(policy, source.path, 'source.path'), store: await confineLocalPath(policy, source.store, 'source.store') };
}

async function confineRestoreTarget(request: RestoreRequest, policy: LocalPathPolicy): Promise<string> {
  if (request.to === undefined) {
    throw new ResourceError('volume-snapshot-restore-target', 'a local restore needs the directory to restore into', 'set `to: /absolute/path` in the put params');
  }
  return confineLocalPath(policy, request.to, 'the restore target `to`');
}

/**
 * Rolling the live directory back to a snapshot is a restore into `path` itself, with
 * `overwrite`. Anything else that holds or lies inside the snapshots or the live directory is
 * refused: a restore empties its target with `overwrite` (`/` holds both). All three are real
 * paths, so a symlink to the store is the store.
 */
function restoreTarget(target: string, { path, store }: ConfinedPaths, overwrite: boolean): string {
  if (target === path && overwrite) return target;
  const clash = [store, path].find((kept) => isWithin(target, kept) || isWithin(kept, target));
  if (clash !== undefined) {
    throw new ResourceError(
      'volume-snapshot-restore-target-not-allowed',
      `the restore target ${target} ${isWithin(target, clash) ? 'is inside' : 'contains'} ${clash === store ? 'the snapshot store' : 'the snapshotted directory'} ${clash}`,
      'restore into a directory apart from `path` and `store`, then move the files where they belong',
    );
  }
  return target;
}

const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Names come from versions and params: keep them from naming a path outside the store. */
function checkedName(name: string): string {
  if (!SNAPSHOT_NAME.test(name)) {
    throw new ResourceError('volume-snapshot-name-invalid', `${JSON.stringify(name)} is not a snapshot name`, 'use a name from this resource\'s versions, such as snapshot-20240501-030000-ab12c');
  }
  return name;
}

async function requireDirectory(path: string, field: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new ResourceError('volume-snapshot-path-missing', `${field} ${path} is not a directory`, 'check the path on the machine running weir; the local driver snapshots a directory there');
  }
}
