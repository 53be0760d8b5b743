import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { ApiError, get, pipelinePath, post, type Build, type BuildEvent, type BuildResources, type PipelineRef, type Resource } from '../api.js';
import { BuildDuration, ErrorBox, instanceLabel, Loading, Section, StatusBadge, versionLabel, When } from '../components/bits.js';
import { baseId, BuildLog, type StepSection } from '../log/build-log.js';
import { LogView } from '../log/log-view.js';
import { containerLabel, LEAF_KINDS, planLeaves, type PlanNode } from '../log/plan-tree.js';
import { buildUrl, jobUrl, pipelineUrl, resourceUrl } from '../routes.js';
import { useSession } from '../session.js';

const EVENT_TYPES = ['status', 'step-started', 'log', 'step-finished', 'error'] as const;
/** Stored events per request: the API's largest page. */
const EVENT_PAGE = 10_000;

export function BuildPage({ id }: { id: number }) {
  const [build, setBuild] = useState<Build | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [plan, setPlan] = useState<PlanNode | null | undefined>(undefined);
  const [resources, setResources] = useState<BuildResources | undefined>(undefined);
  const [pipelineResources, setPipelineResources] = useState<Resource[]>([]);
  const [restoreJobs, setRestoreJobs] = useState<Map<string, string>>(new Map());
  const [revision, setRevision] = useState(0);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [target, setTarget] = useState<number | undefined>(lineFromHash());
  const [scrollToStep, setScrollToStep] = useState<{ origin: string; nonce: number } | undefined>(undefined);
  const [actionError, setActionError] = useState<Error | undefined>(undefined);
  const session = useSession();
  const [, navigate] = useLocation();

  const reloadBuild = async () => {
    try {
      setBuild(await get<Build>(`/builds/${id}`));
      setResources(await get<BuildResources>(`/builds/${id}/resources`));
    } catch (caught) {
      setError(caught as Error);
    }
  };

  useEffect(() => {
    setBuild(undefined);
    setPlan(undefined);
    setError(undefined);
    void reloadBuild();
    get<PlanNode>(`/builds/${id}/plan`).then(setPlan, (caught: Error) => setPlan(caught instanceof ApiError && caught.status === 404 ? null : undefined));
  }, [id]);

  // The plan decides the order of the log's sections; a build with no plan yet logs in arrival order.
  const log = useMemo(() => (plan === undefined ? undefined : new BuildLog(planLeaves(plan ?? undefined))), [plan]);

  useEffect(() => {
    if (!log) return;
    let stopped = false;
    let source: EventSource | undefined;
    let frame = 0;
    // What is stored comes in large JSON pages (one parse per page, not one message per
    // line), each drawn as it comes; then the stream from the last event on, for a build
    // that still runs and for the `end` that says there is no more.
    const load = async () => {
      let after = 0;
      for (;;) {
        const page = await get<BuildEvent[]>(`/builds/${id}/events?format=json&from=${after}&limit=${EVENT_PAGE}`);
        if (stopped) return;
        for (const event of page) log.add(event);
        if (page.length > 0) {
          after = page[page.length - 1]!.seq;
          setRevision(log.revision);
        }
        if (page.length < EVENT_PAGE) break;
      }
      source = new EventSource(`/api/v1/builds/${id}/events?from=${after}`);
      let queued: BuildEvent[] = [];
      // Live events arrive one message each; the page redraws once per frame, however many came.
      const flush = () => {
        frame = 0;
        for (const event of queued) log.add(event);
        queued = [];
        setRevision(log.revision);
      };
      const receive = (message: MessageEvent<string>) => {
        queued.push(JSON.parse(message.data) as BuildEvent);
        if (frame === 0) frame = requestAnimationFrame(flush);
      };
      for (const type of EVENT_TYPES) source.addEventListener(type, receive as EventListener);
      source.addEventListener('status', () => void reloadBuild());
      source.addEventListener('end', () => {
        source?.close();
        void reloadBuild();
      });
    };
    load().catch((caught: Error) => !stopped && setError(caught));
    return () => {
      stopped = true;
      source?.close();
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, [log, id]);

  const ref: PipelineRef | undefined = build?.pipeline_name ? { name: build.pipeline_name, instanceVars: build.pipeline_instance_vars } : undefined;
  const refKey = ref ? pipelinePath(ref) : '';
  useEffect(() => {
    if (!ref) return;
    get<Resource[]>(pipelinePath(ref, '/resources')).then(setPipelineResources, () => setPipelineResources([]));
    get<{ config?: Record<string, unknown> }>(pipelinePath(ref)).then(
      (pipeline) => setRestoreJobs(restoringJobs(pipeline.config)),
      () => setRestoreJobs(new Map()),
    );
  }, [refKey]);

  const onLink = (seq: number) => {
    history.replaceState(null, '', `#L${seq}`);
    setTarget(seq);
  };
  const toggle = (origin: string) =>
    setCollapsed((current) => {
      const next = new Set(current);
      if (!next.delete(origin)) next.add(origin);
      return next;
    });
  const act = async (action: () => Promise<void>) => {
    setActionError(undefined);
    try {
      await action();
    } catch (caught) {
      setActionError(caught as Error);
    }
  };
  const abort = () => act(async () => setBuild(await post<Build>(`/builds/${id}/abort`)));
  const rerun = () => act(async () => navigate(buildUrl((await post<Build>(`/builds/${id}/rerun`)).id)));

  if (error) return <ErrorBox error={error} />;
  if (!build) return <Loading />;
  const running = build.status === 'pending' || build.status === 'started';
  const snapshots = log && ref && plan ? keptSnapshots(log.sections, snapshotPuts(plan), pipelineResources, restoreJobs, ref) : [];

  return (
    <div class="build-page">
      <div class={`toolbar build-head status-${build.status}`}>
        <h1>
          {ref ? (
            <>
              <Link href={pipelineUrl(ref)}>
                {ref.name}
                {ref.instanceVars && Object.keys(ref.instanceVars).length > 0 ? ` ${instanceLabel(ref.instanceVars)}` : ''}
              </Link>{' '}
              / {build.job_name ? <Link href={jobUrl(ref, build.job_name)}>{build.job_name}</Link> : null} #{build.name}
            </>
          ) : (
            <>build #{build.name}</>
          )}
        </h1>
        <StatusBadge status={build.status} />
        <span class="muted">
          <BuildDuration build={build} /> · started <When at={build.started_at} />
          {build.rerun_of !== null ? (
            <>
              {' '}
              · rerun of <Link href={buildUrl(build.rerun_of)}>build {build.rerun_of}</Link>
            </>
          ) : null}
          {build.trigger_vars && Object.keys(build.trigger_vars).length > 0 ? (
            <>
              {' '}
              · with{' '}
              {Object.entries(build.trigger_vars).map(([name, value]) => (
                <code key={name} class="trigger-var">
                  {name}={value}
                </code>
              ))}
            </>
          ) : null}
        </span>
        {session.loggedIn ? (
          running ? (
            <button type="button" class="danger" onClick={() => void abort()}>
              Abort
            </button>
          ) : build.job_name ? (
            <button type="button" class="primary" onClick={() => void rerun()}>
              Rerun with the same inputs
            </button>
          ) : null
        ) : session.loggedIn === false ? (
          <span class="muted">log in to abort or rerun</span>
        ) : null}
      </div>
      <ErrorBox error={actionError} />
      {build.error ? <p class="error-box">{build.error}</p> : null}
      {snapshots.map((snapshot) => (
        <div class="notice snapshot" key={snapshot.name}>
          <strong>Snapshot kept:</strong> <code>{snapshot.name}</code> in {ref ? <Link href={resourceUrl(ref, snapshot.resource)}>{snapshot.resource}</Link> : snapshot.resource}.
          Restore it with:
          <pre>{snapshot.command}</pre>
        </div>
      ))}
      <div class="build-body">
        <aside class="step-tree">
          <h2>Steps</h2>
          {plan ? (
            <ul class="tree">
              <StepTree node={plan} log={log} root onPick={(origin) => setScrollToStep({ origin, nonce: Date.now() })} />
            </ul>
          ) : <p class="muted">{plan === null ? 'not started' : 'loading…'}</p>}
          {resources ? <BuildVersions resources={resources} pipeline={ref} /> : null}
        </aside>
        <section class="log-panel">
          <div class="log-tools">
            <span class="muted">{log ? `${log.lineCount.toLocaleString()} lines` : ''}</span>
            <button type="button" class="link-button" onClick={() => setCollapsed(new Set(log?.sections.map((section) => section.origin)))}>
              collapse all
            </button>
            <button type="button" class="link-button" onClick={() => setCollapsed(new Set())}>
              expand all
            </button>
          </div>
          {log ? <LogView log={log} revision={revision} collapsed={collapsed} onToggle={toggle} target={target} onLink={onLink} scrollToStep={scrollToStep} /> : <Loading />}
        </section>
      </div>
    </div>
  );
}

function StepTree({ node, log, onPick, root = false }: { node: PlanNode; log: BuildLog | undefined; onPick(origin: string): void; root?: boolean }) {
  if (LEAF_KINDS.has(node.kind)) {
    const sections = log?.sections.filter((section) => section.origin === node.id || section.origin.endsWith(`/${node.id}`)) ?? [];
    const section = sections[sections.length - 1];
    const status = section?.status ?? 'pending';
    const duration = section?.startedAt !== undefined ? Math.round(((section.endedAt ?? Date.now()) - section.startedAt) / 100) / 10 : undefined;
    return (
      <li class={`leaf status-${status}`}>
        <button type="button" class="link-button" onClick={() => onPick(section?.origin ?? node.id)}>
          <span class="dot" /> {node.kind} {node.name}
        </button>
        <span class="muted">
          {' '}
          {status}
          {duration !== undefined ? ` ${duration}s` : ''}
          {sections.length > 1 ? ` (${sections.length} runs)` : ''}
        </span>
      </li>
    );
  }
  const children = [...(node.steps ?? []), ...(node.step ? [node.step] : []), ...(node.hook ? [node.hook] : [])];
  const items = children.map((child) => <StepTree key={child.id} node={child} log={log} onPick={onPick} />);
  // A job's plan is a `do` of its steps: show them without a wrapper.
  if (node.kind === 'do' && root) return <>{items}</>;
  return (
    <li class="container">
      <span class="muted">{containerLabel(node)}</span>
      <ul>{items}</ul>
    </li>
  );
}

function BuildVersions({ resources, pipeline }: { resources: BuildResources; pipeline: PipelineRef | undefined }) {
  if (resources.inputs.length === 0 && resources.outputs.length === 0) return null;
  const name = (resource: string | null) => (resource && pipeline ? <Link href={resourceUrl(pipeline, resource)}>{resource}</Link> : resource);
  return (
    <Section title="Versions">
      <table class="build-versions">
        <tbody>
          {resources.inputs.map((input) => (
            <tr key={`in-${input.name}`}>
              <td class="muted">in</td>
              <td>{name(input.resource)}</td>
              <td>
                <code>{versionLabel(input.version)}</code>
              </td>
            </tr>
          ))}
          {resources.outputs.map((output) => (
            <tr key={`out-${output.id}`}>
              <td class="muted">out</td>
              <td>{name(output.resource)}</td>
              <td>
                <code>{versionLabel(output.version)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

interface KeptSnapshot {
  name: string;
  resource: string;
  command: string;
}

/** The snapshots this build's volume-snapshot puts created, and the commands that bring one back. */
function keptSnapshots(
  sections: StepSection[],
  creatingPuts: Map<string, string>,
  resources: Resource[],
  restoreJobs: Map<string, string>,
  ref: PipelineRef,
): KeptSnapshot[] {
  const snapshotResources = new Set(resources.filter((resource) => resource.type === 'volume-snapshot').map((resource) => resource.name));
  const pipeline = `${ref.name}${ref.instanceVars && Object.keys(ref.instanceVars).length > 0 ? `/${instanceLabel(ref.instanceVars)}` : ''}`;
  return sections.flatMap((section) => {
    const resource = creatingPuts.get(baseId(section.origin));
    if (resource === undefined || !snapshotResources.has(resource) || section.status !== 'succeeded' || !section.version?.name) return [];
    const name = section.version.name;
    const pin = `weir pin-resource -r ${pipeline}/${resource} -v name:${name}`;
    const job = restoreJobs.get(resource);
    return [
      {
        name,
        resource,
        command: job ? `${pin}\nweir trigger-job -j ${pipeline}/${job} -w` : `${pin}\n# then run a job whose put on ${resource} has params.action: restore`,
      },
    ];
  });
}

/** Plan ids of puts that create a snapshot (`action: create`, the default), with their resource. */
function snapshotPuts(plan: PlanNode): Map<string, string> {
  const puts = new Map<string, string>();
  const visit = (node: PlanNode | undefined): void => {
    if (!node) return;
    if (node.kind === 'put' && node.resource && (node.params?.action ?? 'create') === 'create') puts.set(node.id, node.resource);
    node.steps?.forEach(visit);
    visit(node.step);
    visit(node.hook);
  };
  visit(plan);
  return puts;
}

/** For each resource, a job that restores from it (a put with `action: restore`). */
function restoringJobs(config: Record<string, unknown> | undefined): Map<string, string> {
  const found = new Map<string, string>();
  const jobs = Array.isArray(config?.jobs) ? (config.jobs as Array<Record<string, unknown>>) : [];
  for (const job of jobs) {
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(visit);
      if (typeof value !== 'object' || value === null) return;
      const step = value as Record<string, unknown>;
      const params = step.params as Record<string, unknown> | undefined;
      if (typeof step.put === 'string' && params?.action === 'restore') {
        const resource = typeof step.resource === 'string' ? step.resource : step.put;
        if (!found.has(resource) && typeof job.name === 'string') found.set(resource, job.name);
      }
      for (const child of Object.values(step)) if (typeof child === 'object') visit(child);
    };
    visit(job.plan);
  }
  return found;
}

function lineFromHash(): number | undefined {
  const match = /^#L(\d+)$/.exec(location.hash);
  return match ? Number(match[1]) : undefined;
}
