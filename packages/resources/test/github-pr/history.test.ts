import { describe, expect, it } from 'vitest';
import { advance, openVersions, versionsSince, type History, type Observation } from '../../src/github-pr/history.js';
import type { PullState } from '../../src/github-pr/source.js';

const OPEN_ONLY: ReadonlySet<PullState> = new Set(['open']);
const empty: History = { pulls: {}, emitted: [] };
const seen = (number: number, head: string, state: PullState = 'open', matches = true): Observation => ({ number, state, head, committed: `date-${head}`, matches });
const short = (versions: Array<{ pr: string; commit: string; state: string }>) => versions.map((v) => `${v.pr}@${v.commit}:${v.state}`);

/** Runs checks one after another, each a list of observations; returns what each added. */
function run(checks: Observation[][], states = OPEN_ONLY): { added: string[][]; history: History } {
  let history = empty;
  const added: string[][] = [];
  for (const observations of checks) {
    const result = advance(history, observations, states);
    history = result.history;
    added.push(short(result.added));
  }
  return { added, history };
}

describe('advance', () => {
  it.each([
    { name: 'a new matching PR yields its head', checks: [[seen(1, 'a')]], added: [['1@a:open']] },
    { name: 'an unchanged head yields nothing', checks: [[seen(1, 'a')], [seen(1, 'a')]], added: [['1@a:open'], []] },
    { name: 'every new head yields, one per check', checks: [[seen(1, 'a')], [seen(1, 'b')], [seen(1, 'c')]], added: [['1@a:open'], ['1@b:open'], ['1@c:open']] },
    { name: 'two PRs changing together both yield, by number', checks: [[seen(1, 'a'), seen(2, 'x')], [seen(2, 'y'), seen(1, 'b')]], added: [['1@a:open', '2@x:open'], ['1@b:open', '2@y:open']] },
    { name: 'a force push back to an older head yields it again', checks: [[seen(1, 'a')], [seen(1, 'b')], [seen(1, 'a')]], added: [['1@a:open'], ['1@b:open'], ['1@a:open']] },
    { name: 'a PR that does not match yields nothing until it does', checks: [[seen(1, 'a', 'open', false)], [seen(1, 'a')]], added: [[], ['1@a:open']] },
    { name: 'a reported PR that stops matching yields nothing more', checks: [[seen(1, 'a')], [seen(1, 'b', 'open', false)]], added: [['1@a:open'], []] },
    { name: 'a reported PR yields its merge, whatever the filters say', checks: [[seen(1, 'a')], [seen(1, 'a', 'merged', false)]], added: [['1@a:open'], ['1@a:merged']] },
    { name: 'a reported PR yields its closing at its last head', checks: [[seen(1, 'a')], [seen(1, 'b', 'closed')]], added: [['1@a:open'], ['1@b:closed']] },
    { name: 'a never-reported PR that closes yields nothing', checks: [[seen(1, 'a', 'open', false)], [seen(1, 'a', 'closed')]], added: [[], []] },
    { name: 'a PR first seen closed yields nothing with states [open]', checks: [[seen(1, 'a', 'merged')]], added: [[]] },
  ])('$name', ({ checks, added }) => {
    expect(run(checks).added).toEqual(added);
  });

  it('reports PRs first seen merged or closed once, when states asks for them', () => {
    const states: ReadonlySet<PullState> = new Set(['open', 'merged']);
    expect(run([[seen(1, 'a', 'merged'), seen(2, 'b', 'closed')], [seen(1, 'a', 'merged'), seen(2, 'b', 'closed')]], states).added).toEqual([['1@a:merged'], []]);
  });

  it.each([
    { name: 'states [open]', states: OPEN_ONLY },
    { name: 'states [open, closed]', states: new Set<PullState>(['open', 'closed']) },
  ])('numbers open periods, so a PR reopened at the head it was closed at yields a new version ($name)', ({ states }) => {
    const { history } = run([[seen(1, 'a')], [seen(1, 'a', 'closed')], [seen(1, 'a')], [seen(1, 'b')], [seen(1, 'b', 'closed')], [seen(1, 'b')]], states);
    expect(history.emitted.map((e) => `${short([e.version])[0]}#${e.version.opened}`)).toEqual(['1@a:open#1', '1@a:closed#1', '1@a:open#2', '1@b:open#2', '1@b:closed#2', '1@b:open#3']);
  });

  it('counts a period the PR did not match in, and yields no end for it', () => {
    const { history } = run([[seen(1, 'a')], [seen(1, 'a', 'closed')], [seen(1, 'a', 'open', false)], [seen(1, 'a', 'closed')], [seen(1, 'a')]]);
    expect(history.emitted.map((e) => `${short([e.version])[0]}#${e.version.opened}`)).toEqual(['1@a:open#1', '1@a:closed#1', '1@a:open#3']);
  });

  it('keeps the commit date of the reported head for the version that ends the PR', () => {
    const { history } = run([[seen(1, 'a')], [{ number: 1, state: 'merged', head: 'a', committed: '', matches: true }]]);
    expect(history.emitted.map((e) => e.version.committed)).toEqual(['date-a', 'date-a']);
  });
});

describe('versionsSince', () => {
  const { history } = run([[seen(1, 'a'), seen(2, 'x')], [seen(1, 'b')], [seen(2, 'x', 'merged')]]);

  it.each([
    { name: 'from and everything after it', from: { pr: '1', commit: 'b', state: 'open' as const, committed: '', opened: '1' }, expected: ['1@b:open', '2@x:merged'] },
    { name: 'only from when it is the newest', from: { pr: '2', commit: 'x', state: 'merged' as const, committed: '', opened: '1' }, expected: ['2@x:merged'] },
    { name: 'the latest of each remembered PR without from', from: undefined, expected: ['1@b:open'] },
    { name: 'the latest of each remembered PR for an unknown from', from: { pr: '9', commit: 'z', state: 'open' as const, committed: '', opened: '1' }, expected: ['1@b:open'] },
  ])('$name', ({ from, expected }) => {
    expect(short(versionsSince(history, from))).toEqual(expected);
  });

  it('tells apart the open periods of a PR reopened at the same head', () => {
    const reopened = run([[seen(1, 'a')], [seen(1, 'a', 'closed')], [seen(1, 'a')]]).history;
    const from = { pr: '1', commit: 'a', state: 'open' as const, committed: 'date-a', opened: '2' };
    expect(versionsSince(reopened, from)).toEqual([from]);
  });
});

describe('openVersions', () => {
  it('lists the latest version of each PR reported open and not ended, by number', () => {
    const { history } = run([
      [seen(10, 'a'), seen(2, 'x'), seen(3, 'm'), seen(4, 'r'), seen(5, 'n', 'open', false)],
      [seen(10, 'b'), seen(2, 'x'), seen(3, 'm', 'merged'), seen(4, 'r', 'closed'), seen(5, 'n', 'open', false)],
      [seen(10, 'b'), seen(2, 'x'), seen(4, 'r'), seen(5, 'n', 'open', false)],
    ]);
    expect(openVersions(history)).toEqual([
      { pr: '2', commit: 'x', state: 'open', committed: 'date-x', opened: '1' },
      { pr: '4', commit: 'r', state: 'open', committed: 'date-r', opened: '2' },
      { pr: '10', commit: 'b', state: 'open', committed: 'date-b', opened: '1' },
    ]);
  });

  it('leaves out a PR open again but not reported in its new period, and keeps ended PRs out with states [open, closed, merged]', () => {
    const states: ReadonlySet<PullState> = new Set(['open', 'closed', 'merged']);
    const { history } = run([[seen(1, 'a'), seen(2, 'b', 'merged')], [seen(1, 'a', 'closed')], [seen(1, 'a', 'open', false)]], states);
    expect(history.pulls['1']).toMatchObject({ state: 'open' });
    expect(openVersions(history)).toEqual([]);
  });

  it('counts a PR remembered without an open period (a cache from before opened) as in its first', () => {
    expect(openVersions({ pulls: { '7': { state: 'open', emitted: 'a', committed: 'date-a' } }, emitted: [] })).toEqual([{ pr: '7', commit: 'a', state: 'open', committed: 'date-a', opened: '1' }]);
  });

  it('is empty before any check', () => {
    expect(openVersions(empty)).toEqual([]);
  });
});
