import { useMemo, useState } from 'preact/hooks';
import { Link, useLocation, useSearch } from 'wouter-preact';
import { get, pipelinePath, post, type Build, type Explanation, type Job, type TriggerVar } from '../api.js';
import { BuildDuration, ErrorBox, instanceLabel, Loading, Section, StatusBadge, versionLabel, When } from '../components/bits.js';
import { usePolled } from '../components/use-polled.js';
import { buildUrl, pipelineUrl, refFromLocation, resourceUrl } from '../routes.js';
import { useSession } from '../session.js';

export function JobPage({ pipeline: pipelineName, job: jobName }: { pipeline: string; job: string }) {
  const search = useSearch();
  const ref = useMemo(() => refFromLocation(pipelineName, search), [pipelineName, search]);
  const name = decodeURIComponent(jobName);
  const base = `/jobs/${encodeURIComponent(name)}`;
  const key = pipelinePath(ref, base);
  const session = useSession();
  const [, navigate] = useLocation();
  const [actionError, setActionError] = useState<Error | undefined>(undefined);

  const job = usePolled(() => get<Job>(pipelinePath(ref, base)), [key], 3000);
  const builds = usePolled(() => get<Build[]>(pipelinePath(ref, `${base}/builds`)), [key], 3000);
  const explanation = usePolled(() => get<Explanation>(pipelinePath(ref, `${base}/explain`)), [key], 5000);

  const act = async (action: () => Promise<void>) => {
    setActionError(undefined);
    try {
      await action();
    } catch (error) {
      setActionError(error as Error);
    }
  };
  const [form, setForm] = useState<Record<string, string> | undefined>(undefined);
  const trigger = (vars?: Record<string, string>) =>
    act(async () => {
      const build = await post<Build>(pipelinePath(ref, `${base}/builds`), vars ? { vars } : undefined);
      navigate(buildUrl(build.id));
    });
  const declared = job.data?.trigger_vars ?? [];
  // A one-click job asks for its values first, prefilled with the defaults.
  const startTrigger = () => (declared.length > 0 ? setForm(Object.fromEntries(declared.map((v) => [v.name, v.default ?? v.values?.[0] ?? '']))) : void trigger());
  const togglePause = () =>
    act(async () => {
      await post(pipelinePath(ref, `${base}/${job.data?.paused ? 'unpause' : 'pause'}`));
      await job.reload();
    });

  return (
    <div class="job-page">
      <div class="toolbar">
        <h1>
          <Link href={pipelineUrl(ref)}>
            {ref.name}
            {ref.instanceVars ? ` ${instanceLabel(ref.instanceVars)}` : ''}
          </Link>{' '}
          / {name}
        </h1>
        {job.data?.paused ? <StatusBadge status="paused" /> : null}
        {session.loggedIn ? (
          <>
            {job.data?.manual_trigger_disabled ? (
              <span class="muted">started by its inputs only (disable_manual_trigger)</span>
            ) : (
              <button type="button" class="primary" onClick={startTrigger}>
                Trigger build
              </button>
            )}
            <button type="button" onClick={() => void togglePause()}>
              {job.data?.paused ? 'Unpause job' : 'Pause job'}
            </button>
          </>
        ) : session.loggedIn === false ? (
          <span class="muted">log in to trigger or pause</span>
        ) : null}
      </div>
      <ErrorBox error={actionError ?? job.error} />
      {form ? <TriggerForm vars={declared} values={form} onChange={setForm} onSubmit={() => void trigger(form)} onCancel={() => setForm(undefined)} /> : null}
      <Section title="Why it is or is not running">
        <ExplanationView explanation={explanation.data} error={explanation.error} ref_={ref} />
      </Section>
      <Section title="Builds">
        {builds.data ? <BuildTable builds={builds.data} /> : <Loading />}
      </Section>
    </div>
  );
}

/** The values of a one-click job's trigger_vars: a choice where the job lists the allowed values. */
function TriggerForm(props: { vars: TriggerVar[]; values: Record<string, string>; onChange(values: Record<string, string>): void; onSubmit(): void; onCancel(): void }) {
  const set = (name: string, value: string) => props.onChange({ ...props.values, [name]: value });
  return (
    <form
      class="trigger-form"
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit();
      }}
    >
      {props.vars.map((v) => (
        <label key={v.name}>
          <span class="var-name">{v.name}</span>
          {v.values ? (
            <select name={v.name} value={props.values[v.name]} onChange={(event) => set(v.name, (event.target as HTMLSelectElement).value)}>
              {v.values.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          ) : (
            <input name={v.name} value={props.values[v.name]} required={v.default === undefined} onInput={(event) => set(v.name, (event.target as HTMLInputElement).value)} />
          )}
          {v.description ? <span class="muted">{v.description}</span> : null}
        </label>
      ))}
      <div class="actions">
        <button type="submit" class="primary">
          Start build
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ExplanationView({ explanation, error, ref_ }: { explanation: Explanation | undefined; error: Error | undefined; ref_: Parameters<typeof resourceUrl>[0] }) {
  if (error) return <ErrorBox error={error} />;
  if (!explanation) return <Loading />;
  return (
    <div class="explanation">
      <p class="summary">{explanation.summary}</p>
      {explanation.blockers.length > 0 ? (
        <ul class="blockers">
          {explanation.blockers.map((reason) => (
            <li key={reason.code}>
              <code>{reason.code}</code> {reason.message}
            </li>
          ))}
        </ul>
      ) : null}
      <table class="inputs">
        <thead>
          <tr>
            <th>input</th>
            <th>version it would use</th>
            <th>why</th>
          </tr>
        </thead>
        <tbody>
          {explanation.inputs.map((input) => {
            const chosen = input.candidates.find((candidate) => candidate.version_id === input.chosen);
            const rejected = input.candidates.filter((candidate) => !candidate.accepted);
            return (
              <tr key={input.name} data-input={input.name}>
                <td>
                  <Link href={resourceUrl(ref_, input.resource)}>{input.name}</Link>
                </td>
                <td>{chosen ? <code>{versionLabel(chosen.version)}</code> : <span class="warn">none</span>}</td>
                <td>
                  {input.reasons.map((reason) => (
                    <div key={reason.code}>{reason.message}</div>
                  ))}
                  {rejected.length > 0 ? (
                    <details>
                      <summary>
                        {rejected.length} newer version{rejected.length > 1 ? 's' : ''} rejected
                        {input.omitted_candidates > 0 ? ` (${input.omitted_candidates} more not shown)` : ''}
                      </summary>
                      <ul>
                        {rejected.map((candidate) => (
                          <li key={candidate.version_id}>
                            <code>{versionLabel(candidate.version)}</code>: {candidate.rejections.map((reason) => reason.message).join('; ')}
                          </li>
                        ))}
                      </ul>
                    </details>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function BuildTable({ builds }: { builds: Build[] }) {
  if (builds.length === 0) return <p class="muted">No builds yet.</p>;
  return (
    <table class="builds">
      <thead>
        <tr>
          <th>build</th>
          <th>status</th>
          <th>started</th>
          <th>duration</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {builds.map((build) => (
          <tr key={build.id} class={`status-row-${build.status}`}>
            <td>
              <Link href={buildUrl(build.id)}>#{build.name}</Link>
            </td>
            <td>
              <StatusBadge status={build.status} />
            </td>
            <td>
              <When at={build.started_at ?? build.created_at} />
            </td>
            <td>
              <BuildDuration build={build} />
            </td>
            <td class="muted">
              {build.manually_triggered ? 'manual' : ''}
              {build.rerun_of !== null ? ` rerun of ${build.rerun_of}` : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
