import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, type BuildStatus, type InstanceVars } from '../api.js';

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return <span class={`badge status-${status}`}>{label ?? status}</span>;
}

export function ErrorBox({ error }: { error: Error | undefined }) {
  if (!error) return null;
  const body = error instanceof ApiError ? error.body : { code: 'error', message: error.message };
  return (
    <div class="error-box" role="alert">
      <strong>{body.code}</strong>: {body.message}
      {'hint' in body && body.hint ? <div class="hint">{body.hint}</div> : null}
    </div>
  );
}

export function Loading() {
  return <p class="muted">loading…</p>;
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

export function timeAgo(at: number, now = Date.now()): string {
  const ms = now - at;
  if (ms < 0) return `in ${formatDuration(-ms)}`;
  if (ms < 5000) return 'just now';
  return `${formatDuration(ms).split(' ')[0]} ago`;
}

/** A time shown relative, with the exact time on hover. */
export function When({ at }: { at: number | null }) {
  if (at === null) return <span class="muted">–</span>;
  return <time dateTime={new Date(at).toISOString()} title={new Date(at).toLocaleString()}>{timeAgo(at)}</time>;
}

/** A build's duration, ticking while it runs. */
export function BuildDuration({ build }: { build: { started_at: number | null; ended_at: number | null; status: BuildStatus } }) {
  const running = build.ended_at === null && build.started_at !== null;
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);
  if (build.started_at === null) return <span class="muted">not started</span>;
  return <span>{formatDuration((build.ended_at ?? now) - build.started_at)}</span>;
}

export function instanceLabel(vars: InstanceVars | null | undefined): string {
  if (!vars || Object.keys(vars).length === 0) return '';
  return Object.entries(vars)
    .map(([key, value]) => `${key}:${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(',');
}

export function versionLabel(version: Record<string, string>): string {
  return Object.entries(version)
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ');
}

export function Section({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="panel">
      <header class="panel-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}
