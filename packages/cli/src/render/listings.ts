import type { ApiBuild, ApiJob, ApiPipeline, ApiVersion } from '../client/api-types.js';
import { formatPipelineName } from '../names.js';
import { formatVersionFields } from '../version-fields.js';
import { paintBuildStatus } from './build-status.js';
import type { Palette } from './palette.js';
import { renderTable } from './table.js';
import { formatDuration, formatTime } from './times.js';

/** The tables the listing commands print; `--json` prints the API's JSON instead. */

export function renderPipelinesTable(pipelines: readonly ApiPipeline[], paint: Palette, options: { archivedColumn: boolean }): string {
  const header = ['id', 'name', 'paused', ...(options.archivedColumn ? ['archived'] : []), 'last updated'];
  const rows = pipelines.map((p) => [
    String(p.id),
    formatPipelineName({ name: p.name, instanceVars: p.instance_vars }),
    // Only its teardown job runs while it is torn down: as good as paused, and the reason says why.
    p.retiring !== null && !p.archived ? retiringLabel(p.retiring, paint) : p.paused ? paint.yellow('yes') : 'no',
    ...(options.archivedColumn ? [p.archived ? 'yes' : 'no'] : []),
    formatTime(p.updated_at),
  ]);
  return renderTable(header, rows, paint.bold);
}

function retiringLabel(retiring: NonNullable<ApiPipeline['retiring']>, paint: Palette): string {
  const status = retiring.teardown_status;
  if (status === null || status === 'pending' || status === 'started') return paint.yellow('tearing down');
  return paint.red(`teardown ${status} (build id ${retiring.teardown_build_id})`);
}

export function renderJobsTable(jobs: readonly ApiJob[], paint: Palette): string {
  const rows = jobs.map((job) => [
    job.name,
    job.paused ? paint.yellow('yes') : 'no',
    job.finished_build ? paintBuildStatus(job.finished_build.status, paint) : 'n/a',
    job.next_build ? paintBuildStatus(job.next_build.status, paint) : 'n/a',
  ]);
  return renderTable(['name', 'paused', 'status', 'next'], rows, paint.bold);
}

export function renderBuildsTable(builds: readonly ApiBuild[], paint: Palette, now: number): string {
  const rows = builds.map((build) => [
    String(build.id),
    buildName(build),
    paintBuildStatus(build.status, paint),
    formatTime(build.started_at),
    formatTime(build.ended_at),
    build.started_at === null ? 'n/a' : `${formatDuration((build.ended_at ?? now) - build.started_at)}${build.ended_at === null ? '+' : ''}`,
  ]);
  return renderTable(['id', 'name', 'status', 'start', 'end', 'duration'], rows, paint.bold);
}

/** A metadata column only when some version has metadata (a get's, a put's), as Concourse shows it beside the version. */
export function renderVersionsTable(versions: readonly ApiVersion[], paint: Palette, pinnedVersionId: number | null): string {
  const withMetadata = versions.some((v) => v.metadata.length > 0);
  const rows = versions.map((v) => [
    String(v.id),
    formatVersionFields(v.version),
    ...(withMetadata ? [v.metadata.map((field) => `${field.name}: ${field.value}`).join(', ')] : []),
    v.enabled ? 'yes' : paint.red('no'),
    [v.id === pinnedVersionId ? paint.cyan('pinned') : '', v.gone === true ? paint.red('gone') : ''].filter((mark) => mark !== '').join(' '),
  ]);
  return renderTable(['id', 'version', ...(withMetadata ? ['metadata'] : []), 'enabled', ''], rows, paint.bold);
}

/** `my-app/pr:12/build/3`, as fly names a build; a build outside any job by its name alone. */
function buildName(build: ApiBuild): string {
  if (build.pipeline_name === null || build.job_name === null) return build.name;
  return `${formatPipelineName({ name: build.pipeline_name, instanceVars: build.pipeline_instance_vars ?? {} })}/${build.job_name}/${build.name}`;
}
