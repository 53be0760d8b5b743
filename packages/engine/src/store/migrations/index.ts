import { sql as initial } from './0001-initial.js';
import { sql as buildRuns } from './0002-build-runs.js';
import { sql as pipelineLifecycle } from './0003-pipeline-lifecycle.js';
import { sql as buildLogRetention } from './0005-build-log-retention.js';
import { sql as secrets } from './0006-secrets.js';
import { sql as buildTriggerVars } from './0007-build-trigger-vars.js';
import { sql as goneVersions } from './0008-gone-versions.js';
import { sql as buildHistoryByJob } from './0009-build-history-by-job.js';

export interface Migration {
  /** Applied in ascending order; never renumber or edit one that has shipped. */
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'build-runs', sql: buildRuns },
  { version: 3, name: 'pipeline-lifecycle', sql: pipelineLifecycle },
  { version: 5, name: 'build-log-retention', sql: buildLogRetention },
  { version: 6, name: 'secrets', sql: secrets },
  { version: 7, name: 'build-trigger-vars', sql: buildTriggerVars },
  { version: 8, name: 'gone-versions', sql: goneVersions },
  { version: 9, name: 'build-history-by-job', sql: buildHistoryByJob },
];
