/**
 * Run by scheduling.ts in a fresh process: opens an engine on a data directory the bench set
 * up, loads everything a full scheduling pass needs, and reports memory as JSON on stdout.
 */
import { createLogger, Engine } from '@weir/engine';
import { implementedResourceTypes } from '@weir/resources';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: scheduling-memory.ts DATA_DIR');
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

gc();
const baselineRss = process.memoryUsage().rss;
const engine = Engine.open({ dataDir, resourceTypes: implementedResourceTypes(), logger: createLogger({ level: 'silent' }) });
engine.store.jobs.requestAll();
let passMs = 0;
let jobs = 0;
for (let remaining = 1; remaining > 0; ) {
  const pass = engine.scheduler.runOnce();
  passMs += pass.durationMs;
  jobs += pass.jobIds.length;
  remaining = pass.remainingJobCount;
}
gc();
const { rss, heapUsed } = process.memoryUsage();
await engine.stop();
console.log(JSON.stringify({ baselineRss, rss, heapUsed, passMs, jobs }));
