
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { createLogger, Engine } from '@weir/engine';
import { implementedResourceTypes } from '@weir/resources';
const dataDir = process.argv[2]!;
const engine = Engine.open({ dataDir, resourceTypes: implementedResourceTypes(), logger: createLogger({ level: 'silent' }) });
const session = new Session(); session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.start');
engine.store.jobs.requestAll();
const t0 = performance.now(); const cold = engine.scheduler.runOnce(); console.log('cold', cold.durationMs, performance.now()-t0, cold.jobIds.length);
const { profile } = await session.post('Profiler.stop'); writeFileSync('/tmp/cold.cpuprofile', JSON.stringify(profile));
await session.post('Profiler.start');
const warm: number[] = [];
for (let i = 0; i < 5; i++) { engine.store.jobs.requestAll(); warm.push(engine.scheduler.runOnce().durationMs); }
console.log('warm', warm);
const p2 = await session.post('Profiler.stop'); writeFileSync('/tmp/warm.cpuprofile', JSON.stringify(p2.profile));
await engine.stop(); process.exit(0);
