import { lstatSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join, posix } from 'node:path';
import { classifyLayerPath } from './whiteout.js';

/**
 * What one layer removes from the layers below it, decided entry by entry as the layer streams
 * by (there is no second pass over a layer that is never stored): a whiteout deletes a path, an
 * opaque marker empties a directory, a new file replaces an old directory (node-tar would only
 * `rmdir` it if empty). Per the OCI spec these delete lower layers' content only, never what
 * this layer adds, wherever in the tar the marker comes; so every path the layer has listed so
 * far is remembered and kept.
 *
 * `admit` is node-tar's filter, called in tar order before node-tar handles the entry or any
 * later one, and it acts synchronously for that reason: a later entry must land on the root as
 * the removal left it. Removed paths are renamed into `trash` (one cheap rename, whatever their
 * size), which the caller deletes after the layer. Nothing is removed through a symlink, nor
 * under a path this layer makes a non-directory (node-tar may be creating that link right now).
 */
export class LowerLayers {
  /** Paths this layer creates, and those of them that are not directories. */
  private readonly created = new Set<string>();
  private readonly createdNonDirectories = new Set<string>();
  /** Directories on the way to a created path ('' is the root). */
  private readonly createdAncestors = new Set<string>();
  private moved = 0;

  constructor(
    private readonly rootfs: string,
    private readonly trash: string,
  ) {}

  /** The first error removing something; `admit` runs inside node-tar's parser and must not throw. */
  failure: unknown;

  /** True for an entry to extract; applies whiteouts, opaque markers and replacements on the way. */
  admit(rawPath: string, type: string): boolean {
    if (this.failure !== undefined) return false;
    try {
      return this.apply(rawPath, type);
    } catch (error) {
      this.failure = error;
      return false;
    }
  }

  private apply(rawPath: string, type: string): boolean {
    const classified = classifyLayerPath(rawPath);
    switch (classified.kind) {
      case 'whiteout':
        this.hide(classified.path);
        return false;
      case 'opaque':
        if (this.safeToChangeUnder(classified.directory)) this.removeLowerChildren(classified.directory);
        return false;
      case 'entry': {
        const path = classified.path;
        if (path !== '' && type !== 'Directory') this.replaceLowerDirectory(path);
        this.record(path, type !== 'Directory');
        return true;
      }
      case 'metadata':
      case 'outside':
        return false;
    }
  }

  private record(path: string, nonDirectory: boolean): void {
    this.created.add(path);
    if (nonDirectory) this.createdNonDirectories.add(path);
    for (let parent = parentOf(path); parent !== undefined; parent = parentOf(parent)) this.createdAncestors.add(parent);
  }

  private keeps(path: string): boolean {
    return this.created.has(path) || this.createdAncestors.has(path);
  }

  private hide(path: string): void {
    const parent = parentOf(path) ?? '';
    if (!this.safeToChangeUnder(parent)) return;
    if (this.createdNonDirectories.has(path)) return;
    if (this.keeps(path)) this.removeLowerChildren(path);
    else this.moveAway(path);
  }

  private replaceLowerDirectory(path: string): void {
    if (this.keeps(path) || !this.safeToChangeUnder(parentOf(path) ?? '')) return;
    if (lstatSync(join(this.rootfs, path), { throwIfNoEntry: false })?.isDirectory()) this.moveAway(path);
  }

  /** Everything under `directory` except what this layer created (and the directories leading to it). */
  private removeLowerChildren(directory: string): void {
    for (const name of readdirSync(join(this.rootfs, directory))) {
      const child = directory === '' ? name : `${directory}/${name}`;
      if (!this.keeps(child)) this.moveAway(child);
      else if (!this.createdNonDirectories.has(child) && lstatSync(join(this.rootfs, child)).isDirectory()) this.removeLowerChildren(child);
    }
  }

  /**
   * True when `directory` and every directory on the way to it are real directories, not
   * symlinks, and none is something this layer makes a non-directory: deleting in it stays
   * inside the root (a lower layer's `lib -> /usr/lib` must not lead a whiteout onto the host).
   */
  private safeToChangeUnder(directory: string): boolean {
    let current = '';
    for (const component of directory === '' ? [] : directory.split('/')) {
      current = current === '' ? component : `${current}/${component}`;
      if (this.createdNonDirectories.has(current)) return false;
      if (!lstatSync(join(this.rootfs, current), { throwIfNoEntry: false })?.isDirectory()) return false;
    }
    return true;
  }

  private moveAway(path: string): void {
    if (this.moved === 0) mkdirSync(this.trash, { recursive: true });
    try {
      renameSync(join(this.rootfs, path), join(this.trash, String(this.moved++)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

function parentOf(path: string): string | undefined {
  if (path === '') return undefined;
  const parent = posix.dirname(path);
  return parent === '.' ? '' : parent;
}
