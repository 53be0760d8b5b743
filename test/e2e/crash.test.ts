import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { decodeEventPage } from '@weir/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { startWeirUp, stopWeir, type WeirProcess } from '../support/weir-process.js';

const BUILDS = 50;

// Each build prints, sleeps a little, and puts a new version, so a kill lands mid-flight with
// builds pending, running, and finished, and with versions and events committed.
const PIPELINE = `
resources:
- name: seed
  type: mock
  source: {initial_version: seed}
- name: made
  type: mock
  source: {no_initial_version: true}
jobs:
- name: work
  plan:
  - get: seed
  - task: step
    config:
      platform: linux
      outputs: [{name: out}]
      run:
        path: sh
        args: [-c, 'for i in 1 2 3 4 5; do echo "build $BUILD_NAME line $i"; done; sleep 0.3; echo "v-$BUILD_ID" > out/version']
  - put: made
    params: {file: out/version}
`;

interface Snapshot {
  events: Map<string, string>;
  versions: Set<string>;
}

/** What a database holds, read from a copy so the engine's files stay as the kill left them. */
function snapshot(dataDir: string): Snapshot {
  const copy = mkdtempSync(join(tmpdir(), 'weir-crash-copy-'));
  try {
    for (const file of ['weir.db', 'weir.db-wal', 'weir.db-shm']) {
      try {
        cpSync(join(dataDir, file), join(copy, file));
      } catch {
        // The WAL files may not exist, e.g. after a clean close.
      }
    }
    const db = new Database(join(copy, 'weir.db'));
    try {
      const events = new Map<string, string>();
      for (const page of db.prepare('SELECT build_id, first_seq, events FROM build_event_pages').all() as Array<{ build_id: number; first_seq: number; events: string }>) {
        decodeEventPage(page.events).forEach((event, i) => events.set(`${page.build_id}:${page.first_seq + i}`, JSON.stringify(event)));
      }
      const versions = new Set((db.prepare('SELECT scope_id, version FROM resource_versions').all() as Array<{ scope_id: number; version: string }>).map((v) => `${v.scope_id}:${v.version}`));
      return { events, versions };
    } finally {
      db.close();
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

const started: WeirProcess[] = [];
afterEach(async () => {
  for (const weir of started.splice(0)) await stopWeir(weir, 'SIGKILL');
});

describe('crash: weir up killed with SIGKILL mid-flight', () => {
  it('restarts with every build ending, nothing committed lost, and an intact database', async () => {
    const root = mkdtempSync(join(tmpdir(), 'weir-crash-'));
    const dataDir = join(root, 'data');
    const pipelines = join(root, 'pipelines');
    mkdirSync(pipelines);
    writeFileSync(join(pipelines, 'crash.yml'), PIPELINE);
    try {
      const first = await startWeirUp(['--data', dataDir, '--pipelines', pipelines]);
      started.push(first);
      for (let i = 0; i < BUILDS; i++) await first.post('/pipelines/crash/jobs/work/builds');
      // Kill once some builds have ended and others have not.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const builds = (await first.get('/builds?limit=100')) as Array<{ status: string }>;
        const ended = builds.filter((b) => !['pending', 'started'].includes(b.status)).length;
        if (ended >= 5 && ended < BUILDS) break;
        if (ended === BUILDS || Date.now() > deadline) throw new Error(`could not catch builds mid-flight (${ended} ended)`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await stopWeir(first, 'SIGKILL')).toBeNull();
      const committed = snapshot(dataDir);
      expect(committed.events.size).toBeGreaterThan(0);

      const second = await startWeirUp(['--data', dataDir]);
      started.push(second);
      let builds: Array<{ id: number; status: string; error: string | null }> = [];
      for (const deadline2 = Date.now() + 90_000; Date.now() < deadline2; ) {
        builds = (await second.get('/builds?limit=100')) as typeof builds;
        if (builds.length === BUILDS && builds.every((b) => !['pending', 'started'].includes(b.status))) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(builds).toHaveLength(BUILDS);
      expect(builds.filter((b) => ['pending', 'started'].includes(b.status))).toEqual([]);
      const interrupted = builds.filter((b) => b.status === 'errored');
      expect(interrupted.length).toBeGreaterThan(0);
      for (const build of interrupted) expect(build.error).toMatch(/engine stopped/);
      expect(builds.filter((b) => b.status === 'succeeded').length).toBeGreaterThan(0);
      expect(await stopWeir(second, 'SIGTERM')).toBe(0);

      const after = snapshot(dataDir);
      for (const [key, event] of committed.events) expect(after.events.get(key), `event ${key}`).toBe(event);
      for (const version of committed.versions) expect(after.versions.has(version), `version ${version}`).toBe(true);
      const db = new Database(join(dataDir, 'weir.db'), { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
