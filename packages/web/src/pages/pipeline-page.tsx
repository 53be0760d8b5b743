import { useEffect, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { Link, useLocation, useSearch } from 'wouter-preact';
import { get, pipelinePath, post, type Job, type Pipeline, type PipelineGraph, type Resource } from '../api.js';
import { ErrorBox, instanceLabel, Loading, StatusBadge } from '../components/bits.js';
import { usePolled } from '../components/use-polled.js';
import { GraphView, type NodeState } from '../graph/graph-view.js';
import { graphForGroup, type GraphLayout } from '../graph/layout.js';
import { layoutInWorker, layoutWorker } from '../graph/layout-client.js';
import { jobUrl, pipelineUrl, refFromLocation, resourceUrl } from '../routes.js';
import { useSession } from '../session.js';

export function PipelinePage({ pipeline: name }: { pipeline: string }) {
  const search = useSearch();
  const ref = useMemo(() => refFromLocation(name, search), [name, search]);
  const group = new URLSearchParams(search).get('group') ?? undefined;
  const [, navigate] = useLocation();
  const session = useSession();
  const key = pipelinePath(ref);

  // The graph first: the server answers in turn, and the drawing waits only for it.
  const graph = usePolled(() => get<PipelineGraph>(pipelinePath(ref, '/graph')), [key], 15000);
  // Only its state: the config of a large pipeline is hundreds of KB the page does not use.
  const pipeline = usePolled(() => get<Pipeline>(pipelinePath(ref, '', { include_config: 'false' })), [key], 10000);
  const jobs = usePolled(() => get<Job[]>(pipelinePath(ref, '/jobs')), [key], 3000);
  const resources = usePolled(() => get<Resource[]>(pipelinePath(ref, '/resources')), [key], 5000);
  // Load the layout worker's script while the graph is on its way.
  useEffect(() => void layoutWorker(), []);

  const shown = useMemo(() => graph.data && graphForGroup(graph.data, group ?? graph.data.groups[0]?.name), [graph.data, group]);
  const [layout, setLayout] = useState<{ key: string; layout: GraphLayout; complete: boolean } | undefined>(undefined);
  const [layoutError, setLayoutError] = useState<Error | undefined>(undefined);
  const shownText = useMemo(() => (shown ? JSON.stringify(shown) : ''), [shown]);
  // A layout effect: the graph goes to the worker as soon as it is rendered, not a frame later.
  useLayoutEffect(() => {
    if (!shown) return;
    // Polling brings a new object each time; only a changed graph is laid out again. The
    // old drawing stays until the first part of the new one is there.
    const fitKey = `${key}|${group ?? ''}`;
    let nodes: GraphLayout['nodes'] = [];
    let edges: GraphLayout['edges'] = [];
    return layoutInWorker(shown, {
      part: (part) => {
        nodes = nodes.concat(part.nodes);
        edges = edges.concat(part.edges);
        setLayout({ key: fitKey, complete: false, layout: { nodes, edges, width: part.width, height: part.height } });
      },
      done: () => setLayout((current) => current && { ...current, complete: true }),
      error: setLayoutError,
    });
  }, [shownText]);

  useEffect(() => {
    if (layout) performance.mark('weir-graph-drawn');
  }, [layout]);

  const [find, setFind] = useState('');
  const [query, setQuery] = useState<{ text: string; nonce: number } | undefined>(undefined);
  const [focus, setFocus] = useState<{ id: string; nonce: number } | undefined>(undefined);
  const [findProblem, setFindProblem] = useState('');
  // Looked for again as more of the graph is laid out, until found or the layout is complete.
  useEffect(() => {
    if (!query || !layout) return;
    const wanted = query.text.toLowerCase();
    if (focus?.nonce === query.nonce) return;
    const nodes = layout.layout.nodes;
    const node = nodes.find((candidate) => candidate.name.toLowerCase() === wanted) ?? nodes.find((candidate) => candidate.name.toLowerCase().includes(wanted));
    if (node) {
      setFindProblem('');
      setFocus({ id: node.id, nonce: query.nonce });
    } else setFindProblem(layout.complete ? `no job or resource named like “${query.text}”` : 'looking…');
  }, [query, layout]);
  const findNode = (event: Event) => {
    event.preventDefault();
    if (find.trim()) setQuery({ text: find.trim(), nonce: Date.now() });
  };

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
        <form class="find" onSubmit={findNode}>
          <input type="search" placeholder="find a job or resource" aria-label="find a job or resource" value={find} onInput={(event) => setFind(event.currentTarget.value)} />
          {findProblem ? <span class="muted">{findProblem}</span> : null}
        </form>
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
          layoutKey={layout.key}
          complete={layout.complete}
          focus={focus}
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
