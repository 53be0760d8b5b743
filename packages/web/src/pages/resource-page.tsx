import { useMemo, useState } from 'preact/hooks';
import { Link, useSearch } from 'wouter-preact';
import { get, pipelinePath, post, type Resource, type Version } from '../api.js';
import { ErrorBox, instanceLabel, Loading, Section, StatusBadge, versionLabel, When } from '../components/bits.js';
import { usePolled } from '../components/use-polled.js';
import { pipelineUrl, refFromLocation } from '../routes.js';
import { useSession } from '../session.js';

interface CheckOutcome {
  ok: boolean;
  new_versions: number;
  error: string | null;
}

export function ResourcePage({ pipeline: pipelineName, resource: resourceName }: { pipeline: string; resource: string }) {
  const search = useSearch();
  const ref = useMemo(() => refFromLocation(pipelineName, search), [pipelineName, search]);
  const name = decodeURIComponent(resourceName);
  const base = `/resources/${encodeURIComponent(name)}`;
  const key = pipelinePath(ref, base);
  const session = useSession();
  const [actionError, setActionError] = useState<Error | undefined>(undefined);
  const [checking, setChecking] = useState(false);
  const [outcome, setOutcome] = useState<CheckOutcome | undefined>(undefined);
  const [comment, setComment] = useState('');

  const resource = usePolled(() => get<Resource>(pipelinePath(ref, base)), [key], 5000);
  const versions = usePolled(() => get<Version[]>(pipelinePath(ref, `${base}/versions`)), [key], 5000);

  const act = async (action: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await action();
      await Promise.all([resource.reload(), versions.reload()]);
    } catch (error) {
      setActionError(error as Error);
    }
  };
  const checkNow = () =>
    act(async () => {
      setChecking(true);
      try {
        setOutcome(await post<CheckOutcome>(pipelinePath(ref, `${base}/check`)));
      } finally {
        setChecking(false);
      }
    });
  const pin = (version: Version) => act(() => post(pipelinePath(ref, `${base}/pin`), { version_id: version.id, ...(comment && { comment }) }));
  const unpin = () => act(() => post(pipelinePath(ref, `${base}/unpin`)));
  const setEnabled = (version: Version, enabled: boolean) => act(() => post(pipelinePath(ref, `${base}/versions/${version.id}/${enabled ? 'enable' : 'disable'}`)));

  const data = resource.data;
  const canAct = session.loggedIn === true;
  return (
    <div class="resource-page">
      <div class="toolbar">
        <h1>
          <Link href={pipelineUrl(ref)}>
            {ref.name}
            {ref.instanceVars ? ` ${instanceLabel(ref.instanceVars)}` : ''}
          </Link>{' '}
          / {name}
        </h1>
        {data ? <span class="muted">type {data.type}</span> : null}
        {data?.pinned_version_id ? <StatusBadge status="pinned" /> : null}
        {canAct ? (
          <button type="button" class="primary" disabled={checking} onClick={() => void checkNow()}>
            {checking ? 'Checking…' : 'Check now'}
          </button>
        ) : session.loggedIn === false ? (
          <span class="muted">log in to check, pin or disable</span>
        ) : null}
      </div>
      <ErrorBox error={actionError ?? resource.error} />
      {outcome ? (
        <p class={outcome.ok ? 'notice' : 'error-box'} role="status">
          {outcome.ok ? `Checked: ${outcome.new_versions} new version${outcome.new_versions === 1 ? '' : 's'}.` : `The check failed: ${outcome.error ?? ''}`}
        </p>
      ) : null}
      {data?.check_error ? (
        <Section title="Last check failed">
          <p class="muted">
            <When at={data.check_error_at} />
          </p>
          <pre class="check-error">{data.check_error}</pre>
        </Section>
      ) : null}
      {data?.pinned_version_id ? (
        <div class="notice pinned-notice">
          Pinned {data.pin_source === 'config' ? 'in the pipeline config' : 'by a user'}
          {data.pin_comment ? <>: “{data.pin_comment}”</> : null}. Jobs use only the pinned version.
          {canAct && data.pin_source === 'api' ? (
            <button type="button" onClick={() => void unpin()}>
              Unpin
            </button>
          ) : null}
        </div>
      ) : canAct ? (
        <label class="pin-comment">
          Comment for a pin{' '}
          <input type="text" value={comment} placeholder="why this version" onInput={(event) => setComment(event.currentTarget.value)} />
        </label>
      ) : null}
      <Section title="Versions">
        {versions.data ? (
          versions.data.length === 0 ? (
            <p class="muted">No versions yet{data?.check_error ? ': the check fails' : ''}.</p>
          ) : (
            <table class="versions">
              <tbody>
                {versions.data.map((version) => (
                  <tr key={version.id} class={version.enabled && !version.gone ? '' : 'disabled'} data-version={version.id}>
                    <td>
                      <code>{versionLabel(version.version)}</code>
                      {data?.pinned_version_id === version.id ? <StatusBadge status="pinned" /> : null}
                      {!version.enabled ? <StatusBadge status="disabled" /> : null}
                      {version.gone ? <StatusBadge status="gone" label="gone from its source" /> : null}
                    </td>
                    <td class="metadata">
                      {version.metadata.map((field) => (
                        <div key={field.name}>
                          <span class="muted">{field.name}</span> {field.value}
                        </div>
                      ))}
                    </td>
                    <td>
                      <When at={version.created_at} />
                    </td>
                    <td class="actions">
                      {canAct && !data?.pinned_version_id && !version.gone ? (
                        <button type="button" onClick={() => void pin(version)}>
                          Pin
                        </button>
                      ) : null}
                      {canAct ? (
                        <button type="button" onClick={() => void setEnabled(version, !version.enabled)}>
                          {version.enabled ? 'Disable' : 'Enable'}
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        ) : (
          <Loading />
        )}
      </Section>
    </div>
  );
}
