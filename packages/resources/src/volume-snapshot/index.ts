import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ResourceError, type MetadataField, type ResourceContext, type ResourceType, type Versioned } from '../interface.js';
import type { SnapshotDriver, SnapshotRecord } from './driver.js';
import { kubernetesDriver } from './kubernetes-driver.js';
import { localDriver } from './local-driver.js';
import { restoreRequest, restoreSourceName, timeoutOf, type VolumeSnapshotGetParams, type VolumeSnapshotPutParams } from './params.js';
import { newerFirst, selectForPruning } from './retention.js';
import { compileSource, type CompiledSource, type VolumeSnapshotSource } from './source.js';
import { volumeSnapshotGetParamsSchema, volumeSnapshotPutParamsSchema, volumeSnapshotSourceSchema } from './source-schema.js';

export type { VolumeSnapshotSource } from './source.js';
export type { VolumeSnapshotGetParams, VolumeSnapshotPutParams } from './params.js';

/** A snapshot's identity: its name, and when weir took it (ISO 8601 UTC, engine clock). */
export type VolumeSnapshotVersion = { name: string; created: string };

/**
 * Snapshots of a volume, by one of two drivers: CSI VolumeSnapshots through the Kubernetes API,
 * or copies of a local directory. Versions are the ready snapshots this resource made, so
 * retention, check and cleanup never touch anyone else's.
 */
export const volumeSnapshotResourceType: ResourceType<VolumeSnapshotSource, VolumeSnapshotVersion, VolumeSnapshotGetParams, VolumeSnapshotPutParams> = {
  name: 'volume-snapshot',
  description: 'Snapshots of a Kubernetes PersistentVolumeClaim (CSI VolumeSnapshots) or a local directory: create with retention, restore into a new claim or directory, delete.',
  sourceSchema: volumeSnapshotSourceSchema,
  getParamsSchema: volumeSnapshotGetParamsSchema,
  putParamsSchema: volumeSnapshotPutParamsSchema,
  // Every ready snapshot this resource owns, which retention keeps few: a pruned one is gone.
  checkReportsAll: true,

  async check(ctx, source, from) {
    const ready = (await (await driverFor(compileSource(source), ctx)).listOwned()).filter((snapshot) => snapshot.ready).sort((a, b) => newerFirst(b, a));
    if (!from) return ready.map(versioned);
    const at = ready.findIndex((snapshot) => snapshot.name === from.name);
    // `from` was pruned or deleted: what came after it is still news.
    const newer = at >= 0 ? ready.slice(at) : ready.filter((snapshot) => Date.parse(snapshot.created) > Date.parse(from.created));
    return newer.map(versioned);
  },

  async get(ctx, source, version, params, dir) {
    const driver = await driverFor(compileSource(source), ctx);
    const snapshot = await readySnapshot(driver, version.name);
    const document = { name: snapshot.name, created: snapshot.created, source: snapshot.source, ...(snapshot.restoreSize && { restore_size: snapshot.restoreSize }), ...snapshot.details };
    await writeFile(join(dir, 'snapshot.json'), `${JSON.stringify(document, null, 2)}\n`);
    const files = await driver.getFiles(snapshot, {
      ...(params.to_pvc !== undefined && { toPvc: params.to_pvc }),
      ...(params.storage_class !== undefined && { storageClass: params.storage_class }),
      ...(params.size !== undefined && { size: params.size }),
      ...(params.access_modes !== undefined && { accessModes: params.access_modes }),
    });
    for (const [file, contents] of Object.entries(files)) await writeFile(join(dir, file), contents);
    ctx.log(`fetched snapshot ${snapshot.name} (${['snapshot.json', ...Object.keys(files)].join(', ')})`);
    return versioned(snapshot);
  },

  async put(ctx, source, params, workdir) {
    const compiled = compileSource(source);
    const driver = await driverFor(compiled, ctx);
    const action = params.action ?? 'create';
    switch (action) {
      case 'create': {
        const created = await driver.create(timeoutOf(params));
        await prune(ctx, compiled, driver, new Set(created.map((snapshot) => snapshot.name)));
        const [first, ...others] = created as [SnapshotRecord, ...SnapshotRecord[]];
        const result = versioned(first);
        if (others.length > 0) result.metadata = [...(result.metadata ?? []), { name: 'also_created', value: others.map((snapshot) => snapshot.name).join(', ') }];
        return result;
      }
      case 'restore': {
        const request = restoreRequest(params);
        const snapshot = await readySnapshot(driver, await restoreSourceName(params, workdir));
        const facts = await driver.restore(snapshot, request);
        const result = versioned(snapshot);
        return { ...result, metadata: [...(result.metadata ?? []), ...facts] };
      }
      case 'delete':
        return deleteSnapshots(ctx, driver, params);
      default:
        return assertNever(action);
    }
  },
};

async function driverFor(source: CompiledSource, ctx: ResourceContext): Promise<SnapshotDriver> {
  return source.driver === 'kubernetes' ? kubernetesDriver(source, ctx) : localDriver(source, ctx);
}

async function readySnapshot(driver: SnapshotDriver, name: string): Promise<SnapshotRecord> {
  const snapshot = await driver.find(name);
  if (!snapshot) {
    throw new ResourceError('volume-snapshot-not-found', `the snapshot ${name} does not exist`, 'it may have been pruned by retention or deleted; after a put with `action: delete`, set `no_get: true` on the step');
  }
  if (!snapshot.ready) {
    throw new ResourceError('volume-snapshot-not-ready', `the snapshot ${name} is not ready${snapshot.error ? `: ${snapshot.error}` : ''}`, 'use a version that check reported: those are ready');
  }
  return snapshot;
}

/** Retention after a successful create: this resource's own ready snapshots only, oldest first. */
async function prune(ctx: ResourceContext, source: CompiledSource, driver: SnapshotDriver, keep: ReadonlySet<string>): Promise<void> {
  if (source.retention.maxCount === undefined && source.retention.maxAgeMs === undefined) return;
  const owned = await driver.listOwned();
  const doomed = selectForPruning(owned.map((snapshot) => ({ name: snapshot.name, created: snapshot.created, group: snapshot.source, ready: snapshot.ready })), source.retention, ctx.now(), keep);
  for (const snapshot of doomed) {
    try {
      await driver.delete(snapshot.name);
      ctx.log(`retention: deleted ${snapshot.name} (created ${snapshot.created})`);
    } catch (error) {
      // The new snapshot exists and is the put's result; a failed prune is retried by the next create.
      const message = error instanceof Error ? error.message : String(error);
      ctx.log(`retention: could not delete ${snapshot.name}: ${message}`);
      ctx.logger.warn({ snapshot: snapshot.name, err: message }, 'volume-snapshot prune failed');
    }
  }
}

async function deleteSnapshots(ctx: ResourceContext, driver: SnapshotDriver, params: VolumeSnapshotPutParams): Promise<Versioned<VolumeSnapshotVersion>> {
  if ((params.name === undefined) === (params.all !== true)) {
    throw new ResourceError('volume-snapshot-delete-target', 'a delete needs either `name` or `all: true`', 'set `name: <snapshot>` to delete one snapshot, or `all: true` to delete every snapshot this resource made');
  }
  if (params.name !== undefined) {
    const snapshot = await driver.find(params.name);
    if (!snapshot) {
      ctx.log(`snapshot ${params.name} is already gone`);
      return { version: { name: params.name, created: ctx.now().toISOString() }, metadata: [{ name: 'deleted', value: '0' }] };
    }
    if (!snapshot.owned) {
      throw new ResourceError('volume-snapshot-not-owned', `the snapshot ${params.name} was not made by this resource`, 'a volume-snapshot resource deletes only its own snapshots; delete others with kubectl or by hand');
    }
    await driver.delete(snapshot.name);
    ctx.log(`deleted snapshot ${snapshot.name}`);
    return { version: versionOf(snapshot), metadata: [{ name: 'deleted', value: '1' }] };
  }
  const owned = (await driver.listOwned()).sort(newerFirst);
  for (const snapshot of owned) {
    await driver.delete(snapshot.name);
    ctx.log(`deleted snapshot ${snapshot.name}`);
  }
  ctx.log(`deleted ${owned.length} snapshot(s) this resource made`);
  // A put must name a version; with nothing left, the newest deleted one (or none) stands for the cleanup.
  const newest = owned[0];
  return { version: newest ? versionOf(newest) : { name: '', created: ctx.now().toISOString() }, metadata: [{ name: 'deleted', value: String(owned.length) }] };
}

function versionOf(snapshot: SnapshotRecord): VolumeSnapshotVersion {
  return { name: snapshot.name, created: snapshot.created };
}

function versioned(snapshot: SnapshotRecord): Versioned<VolumeSnapshotVersion> {
  const metadata: MetadataField[] = [{ name: 'source', value: snapshot.source }];
  if (snapshot.restoreSize !== undefined) metadata.push({ name: 'restore_size', value: snapshot.restoreSize });
  for (const [name, value] of Object.entries(snapshot.details)) if (name !== 'driver') metadata.push({ name, value });
  return { version: versionOf(snapshot), metadata };
}

function assertNever(action: never): never {
  throw new ResourceError('volume-snapshot-action-unknown', `unknown action ${JSON.stringify(action)}`, 'use `create`, `restore` or `delete`');
}
