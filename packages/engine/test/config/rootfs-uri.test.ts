import { describe, expect, it } from 'vitest';
import { rootfsUriImage } from '../../src/config/rootfs-uri.js';
import { WeirError } from '../../src/errors.js';
import { resolveRootfsUri } from '../../src/runner/task/task-rootfs-uri.js';
import type { TaskConfig } from '../../src/config/schema/index.js';
import { loadTask, summarize } from './load.js';

describe('rootfs_uri', () => {
  it.each([
    ['docker:///busybox', { repository: 'busybox', tag: 'latest' }],
    ['docker:///library/alpine#3.19', { repository: 'library/alpine', tag: '3.19' }],
    ['docker://registry.example:5000/team/go#1.22-bookworm', { repository: 'registry.example:5000/team/go', tag: '1.22-bookworm' }],
    // Docker itself talks plain HTTP to a loopback registry; so does Garden's docker:// for one.
    ['docker://127.0.0.1:5000/tools/busybox#stable', { repository: '127.0.0.1:5000/tools/busybox', tag: 'stable', insecure: true }],
    ['docker://localhost/tools/busybox', { repository: 'localhost/tools/busybox', tag: 'latest', insecure: true }],
  ])('%s is the registry-image it names', (uri, source) => {
    expect(rootfsUriImage(uri)).toEqual({ image: { type: 'registry-image', source } });
  });

  it.each(['raw:///var/vcap/rootfs', 'https://example.com/rootfs.tgz', 'docker://', 'docker:///Busybox', 'docker:///busybox#bad tag', '/rootfs'])('%s is refused', (uri) => {
    expect(rootfsUriImage(uri)).toMatchObject({ problem: { code: 'task-rootfs-uri-unsupported' } });
  });

  const config = (extra: Partial<TaskConfig>): TaskConfig => ({ platform: 'linux', run: { path: 'true' }, ...extra });

  it('becomes the task\'s image_resource only when neither the step\'s image nor image_resource takes precedence', () => {
    const image_resource = { type: 'registry-image', source: { repository: 'alpine' } };
    expect(resolveRootfsUri(config({ rootfs_uri: 'docker:///busybox#1' }), false, 'task t').image_resource).toEqual({ type: 'registry-image', source: { repository: 'busybox', tag: '1' } });
    expect(resolveRootfsUri(config({ rootfs_uri: 'docker:///busybox', image_resource }), false, 'task t').image_resource).toBe(image_resource);
    expect(resolveRootfsUri(config({ rootfs_uri: 'raw:///rootfs' }), true, 'task t').image_resource).toBeUndefined();
  });

  it('errors the task, naming where, when weir cannot run it: never runs it without its image', () => {
    let thrown: unknown;
    try {
      resolveRootfsUri(config({ rootfs_uri: 'raw:///var/vcap/rootfs' }), false, 'task t');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(WeirError);
    expect(thrown).toMatchObject({ code: 'task-rootfs-uri-unsupported', location: 'task t rootfs_uri' });
    expect((thrown as WeirError).hint).toContain('image_resource');
  });

  it('is checked by validation, at its line', () => {
    expect(summarize(loadTask('platform: linux\nrootfs_uri: raw:///rootfs\nrun: {path: sh}\n').problems)).toEqual(['error task-rootfs-uri-unsupported @ rootfs_uri 2:13']);
    expect(summarize(loadTask('platform: linux\nrootfs_uri: docker:///busybox#1.36\nrun: {path: sh}\n').problems)).toEqual([]);
    expect(summarize(loadTask('platform: linux\nrootfs_uri: docker:///((image))\nrun: {path: sh}\n').problems)).toEqual(['warning var-undefined @ rootfs_uri 2:13']);
    expect(summarize(loadTask('platform: linux\nimage_resource: {type: registry-image, source: {repository: a}}\nrootfs_uri: raw:///rootfs\nrun: {path: sh}\n').problems)).toEqual([
      'warning task-rootfs-uri-ignored @ rootfs_uri 3:13',
    ]);
  });
});
