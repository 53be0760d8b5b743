export * from './snapshot.js';
export * from './decisions.js';
export { decideNextBuilds } from './decide-next-builds.js';
export { explainJob, JobNotInSnapshotError } from './explain.js';
export { formatVersion } from './describe-version.js';
