import { describe, expect, it } from 'vitest';
import type { ApiBuildEvent, ApiExplanation, ApiPipeline, ApiResource } from '../src/client/api-types.js';
import { BuildLogFormatter } from '../src/render/build-log.js';
import { exitStatusForBuild } from '../src/render/build-status.js';
import { palette } from '../src/render/palette.js';
import { describeRunningSteps } from '../src/render/progress-line.js';
import { renderPipelinesTable } from '../src/render/listings.js';
import { renderTable } from '../src/render/table.js';
import { formatDuration } from '../src/render/times.js';
import { describeWait } from '../src/render/wait-reason.js';

describe('tables', () => {
  it('aligns columns by what is visible, without borders or trailing spaces', () => {
    const paint = palette(true);
    const table = renderTable(['name', 'status', 'next'], [
      ['unit', paint.green('succeeded'), 'n/a'],
      ['integration-tests', paint.red('failed'), ''],
    ]);
    expect(table.replace(/\u001b\[[0-9;]*m/g, '')).toBe(['name               status     next', 'unit               succeeded  n/a', 'integration-tests  failed', ''].join('\n'));
  });
});

describe('pipelines table', () => {
  it('says which pipelines are being torn down, and which teardown did not succeed', () => {
    const base: ApiPipeline = { id: 1, name: 'pr-env', team: 'main', instance_vars: { pr: '1' }, config_version: 1, paused: false, archived: false, created_at: 0, updated_at: 0, parent: null, expires_at: null, retiring: null };
    const rows = renderPipelinesTable(
      [
        base,
        { ...base, id: 2, instance_vars: { pr: '2' }, retiring: { reason: 'gone', teardown_build_id: 7, teardown_status: 'started' } },
        { ...base, id: 3, instance_vars: { pr: '3' }, retiring: { reason: 'gone', teardown_build_id: 9, teardown_status: 'failed' } },
      ],
      palette(false),
      { archivedColumn: false },
    )
      .split('\n')
      .map((line) => line.split(/\s{2,}/)[2]);
    expect(rows.slice(1, 4)).toEqual(['no', 'tearing down', 'teardown failed (build id 9)']);
  });
});

describe('watch exit statuses', () => {
  it('maps the outcome of a build to 0 succeeded, 1 failed, 2 errored, 3 aborted', () => {
    expect(['succeeded', 'failed', 'errored', 'aborted'].map((s) => exitStatusForBuild(s as 'failed'))).toEqual([0, 1, 2, 3]);
    expect(() => exitStatusForBuild('started')).toThrow('the build is still started');
  });
});

describe('the build log', () => {
  const events: ApiBuildEvent[] = [
    { seq: 1, at: 0, type: 'status', data: { status: 'started' } },
    { seq: 2, at: 0, type: 'step-started', origin: '1', data: { kind: 'get', name: 'repo' } },
    { seq: 3, at: 0, type: 'step-finished', origin: '1', data: { outcome: 'succeeded', version: { ref: 'abc' }, metadata: [{ name: 'author', value: 'dev' }] } },
    { seq: 4, at: 0, type: 'step-started', origin: '2', data: { kind: 'task', name: 'unit' } },
    { seq: 5, at: 0, type: 'log', origin: '2', data: { stream: 'stdout', line: 'running 12 tests' } },
    { seq: 6, at: 0, type: 'log', origin: '2', data: { stream: 'stderr', line: 'test_login failed' } },
    { seq: 7, at: 0, type: 'step-finished', origin: '2', data: { outcome: 'failed', exit_status: 1 } },
    { seq: 8, at: 0, type: 'error', data: { code: 'x', message: 'the registry did not answer', hint: 'check the registry' } },
  ];

  it('prints step headers, versions with their metadata, log lines on their stream, and steps that did not succeed', () => {
    const formatter = new BuildLogFormatter({ timestamps: false, paint: palette(false) });
    const lines = events.flatMap((event) => formatter.format(event));
    expect(lines).toEqual([
      { stream: 'out', text: '▸ get: repo' },
      { stream: 'out', text: '  → ref:abc' },
      { stream: 'out', text: '    author: dev' },
      { stream: 'out', text: '▸ task: unit' },
      { stream: 'out', text: 'running 12 tests' },
      { stream: 'err', text: 'test_login failed' },
      { stream: 'err', text: '▸ task: unit failed (exit status 1)' },
      { stream: 'err', text: 'error: the registry did not answer' },
      { stream: 'err', text: '  hint: check the registry' },
    ]);
  });

  it('prefixes the time with -t', () => {
    const formatter = new BuildLogFormatter({ timestamps: true, paint: palette(false) });
    const at = new Date(2024, 4, 1, 14, 3, 27).getTime();
    expect(formatter.format({ seq: 1, at, type: 'log', origin: '1', data: { stream: 'stdout', line: 'hi' } })).toEqual([{ stream: 'out', text: '14:03:27  hi' }]);
  });

  it('says which steps run and for how long', () => {
    expect(describeRunningSteps([{ label: 'task: unit', startedAt: 0 }, { label: 'get: repo', startedAt: 117_000 }], 192_000)).toBe('running: task: unit 3m12s, get: repo 1m15s');
    expect(formatDuration(2 * 3600_000 + 5 * 60_000)).toBe('2h05m');
  });
});

describe('why a pending build waits', () => {
  const resource = (name: string, checkError: string | null): ApiResource => ({
    id: 1,
    pipeline_id: 1,
    name,
    type: 'git',
    pinned_version_id: null,
    pin_source: null,
    pin_comment: null,
    check_error: checkError,
    check_error_at: checkError === null ? null : 0,
    last_checked_version: null,
  });
  const input = (name: string, chosen: number | null): ApiExplanation['inputs'][number] => ({ name, resource: name, chosen, candidates: [], omitted_candidates: 0, reasons: [] });

  it("gives the scheduler's summary, and the failing check of an input without a version only", () => {
    const explanation: ApiExplanation = {
      job_id: 1,
      job: 'deploy',
      pipeline: 'app',
      summary: '1 build waiting: serial group deploys is busy: 1 build running',
      blockers: [{ code: 'serial-group-busy', message: 'serial group deploys is busy: 1 build running' }],
      inputs: [input('repo', null), input('image', 7), input('config', null)],
    };
    expect(describeWait(explanation, [resource('repo', 'git ls-remote failed: could not resolve host\nmore detail'), resource('image', 'flaky'), resource('config', null)])).toEqual([
      'not started yet: 1 build waiting: serial group deploys is busy: 1 build running',
      '  input repo: the last check of repo failed: git ls-remote failed: could not resolve host …',
    ]);
  });
});
