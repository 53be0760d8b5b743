import { useMemo, useState } from 'preact/hooks';
import { useLocation } from 'wouter-preact';
import { get, type DashboardPipeline } from '../api.js';
import { ErrorBox, instanceLabel, Loading, StatusBadge, timeAgo, When } from '../components/bits.js';
import { usePolled } from '../components/use-polled.js';
import { pipelineUrl } from '../routes.js';

const JOB_COUNTS = ['succeeded', 'failed', 'errored', 'aborted', 'running', 'pending'] as const;

/** Every pipeline with its status; instances grouped under their name; a filter over names, vars and status. */
export function Dashboard() {
  const { data, error } = usePolled(() => get<DashboardPipeline[]>('/dashboard'), [], 5000);
  const [filter, setFilter] = useState('');
  const groups = useMemo(() => groupByName(data ?? [], filter), [data, filter]);
  const [, navigate] = useLocation();
  // One handler for every card: a router link per card is a subscription per card, which
  // hundreds of pipelines pay for on every poll. Clicks with a modifier keep the browser's meaning.
  const openCard = (event: MouseEvent) => {
    const card = (event.target as Element).closest('a.pipeline-card');
    if (!card || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(card.getAttribute('href')!);
  };
  return (
    <div class="dashboard" onClick={openCard}>
      <div class="toolbar">
        <h1>Pipelines</h1>
        <input
          type="search"
          class="filter"
          placeholder="filter: name, pr:12, status:failed"
          aria-label="filter pipelines"
          value={filter}
          onInput={(event) => setFilter(event.currentTarget.value)}
        />
        {data ? <span class="muted">{countLabel(data.length, groups)}</span> : null}
      </div>
      <ErrorBox error={error} />
      {!data && !error ? <Loading /> : null}
      {data && data.length === 0 ? (
        <p class="muted">
          No pipelines yet. Set one with <code>weir set-pipeline -p NAME -c pipeline.yml</code>.
        </p>
      ) : null}
      {groups.map((group) => (
        <section class="pipeline-group" key={group.name}>
          {group.instanced ? <h2 class="group-name">{group.name}</h2> : null}
          <div class="cards">
            {group.pipelines.map((pipeline) => (
              <PipelineCard key={pipeline.id} pipeline={pipeline} />
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}

function PipelineCard({ pipeline }: { pipeline: DashboardPipeline }) {
  const ref = { name: pipeline.name, instanceVars: pipeline.instance_vars };
  const { summary } = pipeline;
  const instance = instanceLabel(pipeline.instance_vars);
  return (
    <a href={pipelineUrl(ref)} class={`card pipeline-card status-${summary.status}`} data-pipeline={pipeline.name}>
      <div class="card-title">
        <span class="name">{instance || pipeline.name}</span>
        <StatusBadge status={summary.status} />
      </div>
      <div class="job-bar" title={JOB_COUNTS.map((key) => `${summary.jobs[key]} ${key}`).join(', ')}>
        {JOB_COUNTS.map((key) =>
          summary.jobs[key] > 0 ? <span key={key} class={`seg status-${key === 'running' ? 'started' : key}`} style={{ flexGrow: summary.jobs[key] }} /> : null,
        )}
      </div>
      <div class="card-facts">
        <span>{summary.jobs.total} jobs</span>
        {summary.check_errors > 0 ? <span class="warn">{summary.check_errors} failing check{summary.check_errors > 1 ? 's' : ''}</span> : null}
        {summary.jobs.paused > 0 ? <span>{summary.jobs.paused} paused</span> : null}
      </div>
      {pipeline.parent ? (
        <div class="card-facts lifecycle">
          <span>
            set by build #{pipeline.parent.build_id} <When at={pipeline.parent.set_at} />
          </span>
          {pipeline.expires_at !== null ? <span>expires {timeAgo(pipeline.expires_at)}</span> : null}
        </div>
      ) : null}
      {pipeline.retiring ? (
        <div class="card-facts retiring">
          tearing down ({pipeline.retiring.reason})
          {pipeline.retiring.teardown_status ? <StatusBadge status={pipeline.retiring.teardown_status} label={`teardown ${pipeline.retiring.teardown_status}`} /> : null}
        </div>
      ) : null}
    </a>
  );
}

interface PipelineGroup {
  name: string;
  instanced: boolean;
  pipelines: DashboardPipeline[];
}

/** Pipelines in the API's order, instances of one name together; the filter's words must all match. */
function groupByName(pipelines: DashboardPipeline[], filter: string): PipelineGroup[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const groups = new Map<string, PipelineGroup>();
  for (const pipeline of pipelines) {
    if (!words.every((word) => matches(pipeline, word))) continue;
    let group = groups.get(pipeline.name);
    if (!group) groups.set(pipeline.name, (group = { name: pipeline.name, instanced: false, pipelines: [] }));
    group.pipelines.push(pipeline);
    if (Object.keys(pipeline.instance_vars).length > 0) group.instanced = true;
  }
  return [...groups.values()];
}

function matches(pipeline: DashboardPipeline, word: string): boolean {
  if (word.startsWith('status:')) return pipeline.summary.status === word.slice('status:'.length);
  return `${pipeline.name} ${instanceLabel(pipeline.instance_vars)}`.toLowerCase().includes(word);
}

function countLabel(total: number, groups: PipelineGroup[]): string {
  const shown = groups.reduce((sum, group) => sum + group.pipelines.length, 0);
  return shown === total ? `${total} pipelines` : `${shown} of ${total} pipelines`;
}
