import { useEffect, useMemo, useState } from 'preact/hooks';
import { Link, useLocation, useSearch } from 'wouter-preact';
import { get, pipelinePath, post, type Job, type Pipeline, type PipelineGraph, type Resource } from '../api.js';
import { ErrorBox, instanceLabel, Loading, StatusBadge } from '../components/bits.js';
import { usePolled } from '../components/use-polled.js';
import { GraphView, type NodeState } from '../graph/graph-view.js';
import { graphForGroup, type GraphLayout } from '../graph/layout.js';
import { layoutInWorker } from '../graph/layout-client.js';
import { jobUrl, pipelineUrl, refFromLocation, resourceUrl } from '../routes.js';
import { useSession } from '../session.js';

export function PipelinePage({ pipeline: name }: { pipeline: string }) {
  const search = useSearch();
  const ref = useMemo(() => refFromLocation(name, search), [name, search]);
  const group = new URLSearchParams(search).get('group') ?? undefined;
  const [, navigate] = useLocation();
  const session = useSession();
  const key = pipelinePath(ref);

  const pipeline = usePolled(() => get<Pipeline>(pipelinePath(ref)), [key], 10000);
  const jobs = usePolled(() => get<Job[]>(pipelinePath(ref, '/jobs')), [key], 3000);
  const resources = usePolled(() => get<Resource[]>(pipelinePath(ref, '/resources')), [key], 5000);
  const graph = usePolled(() => get<PipelineGraph>(pipelinePath(ref, '/graph')), [key], 15000);

  const shown = useMemo(() => graph.data && graphForGroup(graph.data, group ?? graph.data.groups[0]?.name), [graph.data, group]);
  const [layout, setLayout] = useState<{ of: PipelineGraph; layout: GraphLayout } | undefined>(undefined);
  const [layoutError, setLayoutError] = useState<Error | undefined>(undefined);
  const shownText = useMemo(() => (shown ? JSON.stringify(shown) : ''), [shown]);
  useEffect(() => {
    if (!shown) return;
    let current = true;
    // Polling brings a new object each time; only a changed graph is laid out again.
    layoutInWorker(shown).then(
      (result) => current && setLayout({ of: shown, layout: result }),
      (error: Error) => current && setLayoutError(error),
    );
    return () => {
      current = false;
    };
  }, [shownText]);

  useEffect(() => {
    if (layout) performance.mark('weir-graph-drawn');
  }, [layout]);

  const states = useMemo(() => nodeStates(jobs.data ?? [], resources.data ?? []), [jobs.data, resources.data]);
  const paused = pipeline.data?.paused;
  const togglePause = async () => {
    await post(pipelinePath(ref, paused ? '/unpause' : '/pause'));
    await pipeline.reload();
  };
  const activeGroup = group ?? graph.data?.groups[0]?.name;

  return (
    <div class="pipeline-page">
      <div class="toolbar">
        <h1>
          {ref.name}
          {ref.instanceVars ? <span class="instance"> {instanceLabel(ref.instanceVars)}</span> : null}
        </h1>
        {paused ? <StatusBadge status="paused" /> : null}
        {pipeline.data?.archived ? <StatusBadge status="archived" /> : null}
        {session.loggedIn && pipeline.data && !pipeline.data.archived ? (
          <button type="button" onClick={() => void togglePause()}>
            {paused ? 'Unpause pipeline' : 'Pause pipeline'}
          </button>
        ) : null}
      </div>
      {graph.data && graph.data.groups.length > 0 ? (
        <nav class="tabs" aria-label="groups">
          {graph.data.groups.map((candidate) => (
            <Link key={candidate.name} href={pipelineUrl(ref, '', { group: candidate.name })} class={candidate.name === activeGroup ? 'tab active' : 'tab'}>
              {candidate.name}
            </Link>
          ))}
        </nav>
      ) : null}
      <ErrorBox error={pipeline.error ?? graph.error ?? layoutError} />
      {layout ? (
        <GraphView
          layout={layout.layout}
          states={states}
          onOpen={(node) => navigate(node.kind === 'job' ? jobUrl(ref, node.name) : resourceUrl(ref, node.name))}
        />
      ) : (
        !graph.error && <Loading />
      )}
      <p class="legend muted">
        Solid lines trigger the job, dashed ones do not. Drag to move, scroll to zoom, click a job or resource to open it.
      </p>
    </div>
  );
}

function nodeStates(jobs: Job[], resources: Resource[]): Map<string, NodeState> {
  const states = new Map<string, NodeState>();
  for (const job of jobs) {
    const running = job.next_build?.status === 'started';
    const status = running ? 'started' : (job.finished_build?.status ?? (job.next_build ? 'pending' : 'none'));
    states.set(`job:${job.name}`, { status, running, paused: job.paused });
  }
  for (const resource of resources) {
    states.set(`resource:${resource.name}`, { status: resource.check_error ? 'errored' : 'none', pinned: resource.pinned_version_id !== null });
  }
  return states;
}
