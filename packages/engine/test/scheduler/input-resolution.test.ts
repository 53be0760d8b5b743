import { describe, expect, it } from 'vitest';
import { scenario, type ScenarioSpec } from './scenario.js';

/**
 * Each case: a pipeline shape, versions and build history; the inputs the job's next build
 * would use (`input=version`, or null when some input has no version), the inputs whose version
 * no build used yet (first occurrences), why inputs have no version (reason codes), and
 * optionally the candidates one input considered (`version:code` in order). No input has
 * `trigger: true`, so no build starts and moves `every` on: triggering has its own tables.
 */
interface ResolutionCase {
  name: string;
  spec: ScenarioSpec;
  job: string;
  next: string | null;
  firstOccurrences?: string[];
  codes?: string[];
  candidates?: Record<string, string[]>;
}

const repo = (...versions: string[]): Record<string, string[]> => ({ repo: versions });

const CASES: ResolutionCase[] = [
  // latest
  {
    name: 'latest takes the newest version',
    spec: { resources: repo('c1', 'c2', 'c3'), jobs: { unit: { inputs: [{ get: 'repo' }] } } },
    job: 'unit',
    next: 'repo=c3',
    firstOccurrences: ['repo'],
    candidates: { repo: ['c3:ok'] },
  },
  {
    name: 'a resource without versions leaves the input unsatisfied',
    spec: { resources: repo(), jobs: { unit: { inputs: [{ get: 'repo' }] } } },
    job: 'unit',
    next: null,
    codes: ['no-versions'],
    candidates: { repo: [] },
  },
  {
    name: 'disabled versions are skipped',
    spec: { resources: repo('c1', 'c2', 'c3'), disabled: { repo: ['c3'] }, jobs: { unit: { inputs: [{ get: 'repo' }] } } },
    job: 'unit',
    next: 'repo=c2',
    candidates: { repo: ['c3:disabled', 'c2:ok'] },
  },
  {
    name: 'every version disabled leaves the input unsatisfied',
    spec: { resources: repo('c1', 'c2'), disabled: { repo: ['c1', 'c2'] }, jobs: { unit: { inputs: [{ get: 'repo' }] } } },
    job: 'unit',
    next: null,
    codes: ['disabled'],
    candidates: { repo: ['c2:disabled', 'c1:disabled'] },
  },
  {
    name: 'versions gone from their source (pruned snapshots) are skipped',
    spec: { resources: repo('c1', 'c2', 'c3'), gone: { repo: ['c3'] }, jobs: { unit: { inputs: [{ get: 'repo' }] } } },
    job: 'unit',
    next: 'repo=c2',
    candidates: { repo: ['c3:gone', 'c2:ok'] },
  },
  {
    name: 'every version disabled or gone leaves the input unsatisfied, saying so',
    spec: { resources: repo('c1', 'c2'), gone: { repo: ['c2'] }, disabled: { repo: ['c1'] }, jobs: { unit: { inputs: [{ get: 'repo' }] } } },
    job: 'unit',
    next: null,
    codes: ['gone'],
    candidates: { repo: ['c2:gone', 'c1:disabled'] },
  },
  {
    name: 'the get step can rename the artifact (get: code, resource: repo)',
    spec: { resources: repo('c1', 'c2'), jobs: { unit: { inputs: [{ get: 'code', resource: 'repo' }] } } },
    job: 'unit',
    next: 'code=c2',
  },

  // every
  {
    name: 'every on the first run takes the latest version, as Concourse does',
    spec: { resources: repo('c1', 'c2', 'c3'), jobs: { unit: { inputs: [{ get: 'repo', version: 'every' }] } } },
    job: 'unit',
    next: 'repo=c3',
  },
  {
    name: 'every takes the next version after the newest one used',
    spec: {
      resources: repo('c1', 'c2', 'c3', 'c4'),
      jobs: { unit: { inputs: [{ get: 'repo', version: 'every' }] } },
      builds: [{ job: 'unit', status: 'failed', inputs: { repo: 'c2' } }],
    },
    job: 'unit',
    next: 'repo=c3',
    firstOccurrences: ['repo'],
    candidates: { repo: ['c3:ok'] },
  },
  {
    name: 'every skips disabled versions on its way forward',
    spec: {
      resources: repo('c1', 'c2', 'c3'),
      disabled: { repo: ['c2'] },
      jobs: { unit: { inputs: [{ get: 'repo', version: 'every' }] } },
      builds: [{ job: 'unit', status: 'succeeded', inputs: { repo: 'c1' } }],
    },
    job: 'unit',
    next: 'repo=c3',
    candidates: { repo: ['c2:disabled', 'c3:ok'] },
  },
  {
    name: 'every with nothing newer keeps the last used version, which is not new',
    spec: {
      resources: repo('c1', 'c2'),
      jobs: { unit: { inputs: [{ get: 'repo', version: 'every' }] } },
      builds: [{ job: 'unit', status: 'succeeded', inputs: { repo: 'c2' } }],
    },
    job: 'unit',
    next: 'repo=c2',
    firstOccurrences: [],
  },
  {
    name: 'every with passed walks the versions that passed, oldest new one first',
    spec: {
      resources: repo('c1', 'c2', 'c3', 'c4'),
      jobs: { unit: { inputs: [{ get: 'repo' }] }, deploy: { inputs: [{ get: 'repo', passed: ['unit'], version: 'every' }] } },
      builds: [
        { job: 'unit', status: 'succeeded', inputs: { repo: 'c1' } },
        { job: 'unit', status: 'succeeded', inputs: { repo: 'c3' } },
        { job: 'unit', status: 'succeeded', inputs: { repo: 'c4' } },
        { job: 'deploy', status: 'succeeded', inputs: { repo: 'c1' } },
      ],
      requested: ['deploy'],
    },
    job: 'deploy',
    next: 'repo=c3',
    candidates: { repo: ['c2:not-passed', 'c3:ok'] },
  },

  // pins
  {
    name: 'a get step pin uses exactly that version',
    spec: { resources: repo('c1', 'c2', 'c3'), jobs: { unit: { inputs: [{ get: 'repo', version: { ref: 'c2' } }] } } },
    job: 'unit',
    next: 'repo=c2',
    candidates: { repo: ['c2:ok'] },
  },
  {
    name: 'a get step pin to a version not checked yet leaves the input unsatisfied',
    spec: { resources: repo('c1'), jobs: { unit: { inputs: [{ get: 'repo', version: { ref: 'c9' } }] } } },
    job: 'unit',
    next: null,
    codes: ['pinned-version-missing'],
    candidates: { repo: [] },
  },
  {
    name: 'a resource pin overrides latest, and the newer versions say why they are not used',
    spec: { resources: repo('c1', 'c2', 'c3'), pins: { repo: 'c1' }, jobs: { unit: { inputs: [{ get: 'repo' }] } } },
    job: 'unit',
    next: 'repo=c1',
    candidates: { repo: ['c3:pinned-elsewhere', 'c2:pinned-elsewhere', 'c1:ok'] },
  },
  {
    name: 'a resource pin overrides every',
    spec: {
      resources: repo('c1', 'c2', 'c3'),
      pins: { repo: 'c1' },
      jobs: { unit: { inputs: [{ get: 'repo', version: 'every' }] } },
      builds: [{ job: 'unit', status: 'succeeded', inputs: { repo: 'c1' } }],
    },
    job: 'unit',
    next: 'repo=c1',
    firstOccurrences: [],
  },
  {
    name: "a get step pin wins over the resource's pin (Concourse's precedence)",
    spec: { resources: repo('c1', 'c2', 'c3'), pins: { repo: 'c1' }, jobs: { unit: { inputs: [{ get: 'repo', version: { ref: 'c2' } }] } } },
    job: 'unit',
    next: 'repo=c2',
  },
  {
    name: 'a pinned version that is disabled is not used',
    spec: { resources: repo('c1', 'c2'), pins: { repo: 'c1' }, disabled: { repo: ['c1'] }, jobs: { unit: { inputs: [{ get: 'repo' }] } } },
    job: 'unit',
    next: null,
    codes: ['disabled'],
    candidates: { repo: ['c2:pinned-elsewhere', 'c1:disabled'] },
  },
  {
    name: 'a pin combined with passed must have passed',
    spec: {
      resources: repo('c1', 'c2'),
      pins: { repo: 'c2' },
      jobs: { unit: { inputs: [{ get: 'repo' }] }, deploy: { inputs: [{ get: 'repo', passed: ['unit'] }] } },
      builds: [{ job: 'unit', status: 'succeeded', inputs: { repo: 'c1' } }],
      requested: ['deploy'],
    },
    job: 'deploy',
    next: null,
    codes: ['not-passed'],
    candidates: { repo: ['c2:not-passed'] },
  },

  // passed
  {
    name: 'passed takes the newest version that went through a succeeded build',
    spec: {
      resources: repo('c1', 'c2', 'c3'),
      jobs: { unit: { inputs: [{ get: 'repo' }] }, deploy: { inputs: [{ get: 'repo', passed: ['unit'] }] } },
      builds: [
        { job: 'unit', status: 'succeeded', inputs: { repo: 'c2' } },
        { job: 'unit', status: 'failed', inputs: { repo: 'c3' } },
      ],
      requested: ['deploy'],
    },
    job: 'deploy',
    next: 'repo=c2',
    candidates: { repo: ['c3:not-passed', 'c2:ok'] },
  },
  {
    name: 'passed with no succeeded build leaves the input unsatisfied',
    spec: {
      resources: repo('c1', 'c2'),
      jobs: { unit: { inputs: [{ get: 'repo' }] }, deploy: { inputs: [{ get: 'repo', passed: ['unit'] }] } },
      builds: [{ job: 'unit', status: 'errored', inputs: { repo: 'c2' } }],
      requested: ['deploy'],
    },
    job: 'deploy',
    next: null,
    codes: ['not-passed'],
    candidates: { repo: ['c2:not-passed', 'c1:not-passed'] },
  },
  {
    name: 'passed with two jobs needs a version that went through both',
    spec: {
      resources: repo('c1', 'c2', 'c3'),
      jobs: {
        unit: { inputs: [{ get: 'repo' }] },
        lint: { inputs: [{ get: 'repo' }] },
        deploy: { inputs: [{ get: 'repo', passed: ['unit', 'lint'] }] },
      },
      builds: [
        { job: 'unit', status: 'succeeded', inputs: { repo: 'c2' } },
        { job: 'unit', status: 'succeeded', inputs: { repo: 'c3' } },
        { job: 'lint', status: 'succeeded', inputs: { repo: 'c1' } },
        { job: 'lint', status: 'succeeded', inputs: { repo: 'c2' } },
      ],
      requested: ['deploy'],
    },
    job: 'deploy',
    next: 'repo=c2',
    candidates: { repo: ['c3:not-passed', 'c2:ok'] },
  },
  {
    name: 'a version a job put (an output) counts as passed through it',
    spec: {
      resources: { repo: ['c1'], image: ['i1', 'i2'] },
      jobs: { build: { inputs: [{ get: 'repo' }] }, deploy: { inputs: [{ get: 'image', passed: ['build'] }] } },
      builds: [
        { job: 'build', status: 'succeeded', inputs: { repo: 'c1' }, outputs: { image: 'i1' } },
        { job: 'build', status: 'failed', inputs: { repo: 'c1' }, outputs: { image: 'i2' } },
      ],
      requested: ['deploy'],
    },
    job: 'deploy',
    next: 'image=i1',
  },

  // fan-in: inputs sharing an upstream job use versions from one build of it
  {
    name: 'fan-in: the newest versions came from different builds, so an older partner is chosen',
    spec: {
      resources: { app: ['a1', 'a2'], cfg: ['g1', 'g2'] },
      jobs: {
        build: { inputs: [{ get: 'app' }, { get: 'cfg' }] },
        deploy: { inputs: [{ get: 'app', passed: ['build'] }, { get: 'cfg', passed: ['build'] }] },
      },
      builds: [
        { job: 'build', status: 'succeeded', inputs: { app: 'a1', cfg: 'g1' } },
        { job: 'build', status: 'succeeded', inputs: { app: 'a2', cfg: 'g1' } },
        { job: 'build', status: 'succeeded', inputs: { app: 'a1', cfg: 'g2' } },
      ],
      requested: ['deploy'],
    },
    job: 'deploy',
    next: 'app=a2 cfg=g1',
    candidates: { app: ['a2:ok'], cfg: ['g2:not-same-build', 'g1:ok'] },
  },
  {
    name: 'fan-in: backtracks to an older version of the first input when its newest has no usable partner',
    spec: {
      resources: { app: ['a1', 'a2'], cfg: ['g1', 'g2'] },
      disabled: { cfg: ['g1'] },
      jobs: {
        build: { inputs: [{ get: 'app' }, { get: 'cfg' }] },
        deploy: { inputs: [{ get: 'app', passed: ['build'] }, { get: 'cfg', passed: ['build'] }] },
      },
      builds: [
        { job: 'build', status: 'succeeded', inputs: { app: 'a1', cfg: 'g1' } },
        { job: 'build', status: 'succeeded', inputs: { app: 'a2', cfg: 'g1' } },
        { job: 'build', status: 'succeeded', inputs: { app: 'a1', cfg: 'g2' } },
      ],
      requested: ['deploy'],
    },
    job: 'deploy',
    next: 'app=a1 cfg=g2',
    candidates: { app: ['a2:not-same-build', 'a1:ok'], cfg: ['g2:ok'] },
  },
  {
    name: 'fan-in: no build used usable versions of both inputs',
    spec: {
      resources: { app: ['a1', 'a2'], cfg: ['g1', 'g2'] },
      disabled: { app: ['a1'], cfg: ['g2'] },
      jobs: {
        build: { inputs: [{ get: 'app' }, { get: 'cfg' }] },
        deploy: { inputs: [{ get: 'app', passed: ['build'] }, { get: 'cfg', passed: ['build'] }] },
      },
      builds: [
        { job: 'build', status: 'succeeded', inputs: { app: 'a1', cfg: 'g1' } },
        { job: 'build', status: 'succeeded', inputs: { app: 'a2', cfg: 'g2' } },
      ],
      requested: ['deploy'],
    },
    job: 'deploy',
    next: null,
    codes: ['not-same-build', 'not-same-build'],
    candidates: { app: ['a2:not-same-build', 'a1:disabled'], cfg: ['g2:disabled', 'g1:not-same-build'] },
  },
  {
    name: 'fan-in: only the shared job ties inputs together; another passed job constrains one input alone',
    spec: {
      resources: { app: ['a1', 'a2'], cfg: ['g1', 'g2'] },
      jobs: {
        build: { inputs: [{ get: 'app' }, { get: 'cfg' }] },
        test: { inputs: [{ get: 'app' }] },
        deploy: { inputs: [{ get: 'app', passed: ['build', 'test'] }, { get: 'cfg', passed: ['build'] }] },
      },
      builds: [
        { job: 'build', status: 'succeeded', inputs: { app: 'a1', cfg: 'g1' } },
        { job: 'build', status: 'succeeded', inputs: { app: 'a2', cfg: 'g2' } },
        { job: 'test', status: 'succeeded', inputs: { app: 'a1' } },
      ],
      requested: ['deploy'],
    },
    job: 'deploy',
    next: 'app=a1 cfg=g1',
    candidates: { app: ['a2:not-passed', 'a1:ok'], cfg: ['g2:not-same-build', 'g1:ok'] },
  },
  {
    name: 'inputs without a shared passed job are resolved independently',
    spec: {
      resources: { app: ['a1', 'a2'], cfg: ['g1', 'g2'] },
      jobs: {
        build: { inputs: [{ get: 'app' }] },
        configure: { inputs: [{ get: 'cfg' }] },
        deploy: { inputs: [{ get: 'app', passed: ['build'] }, { get: 'cfg', passed: ['configure'] }] },
      },
      builds: [
        { job: 'build', status: 'succeeded', inputs: { app: 'a2' } },
        { job: 'configure', status: 'succeeded', inputs: { cfg: 'g1' } },
      ],
      requested: ['deploy'],
    },
    job: 'deploy',
    next: 'app=a2 cfg=g1',
  },
];

describe('input resolution', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const s = scenario(c.spec);
    const decisions = s.decide();
    expect(s.nextInputs(decisions, c.job)).toBe(c.next);
    expect(s.inputReasonCodes(decisions, c.job)).toEqual(c.codes ?? []);
    if (c.firstOccurrences !== undefined) expect(s.firstOccurrences(decisions, c.job)).toEqual(c.firstOccurrences);
    for (const [input, lines] of Object.entries(c.candidates ?? {})) {
      expect(s.candidateLines(decisions, c.job, input)).toEqual(lines);
    }
    const chosen = s.explanation(decisions, c.job).inputs.map((i) => `${i.name}=${s.label(i.chosen)}`);
    if (c.next !== null) expect(chosen.join(' ')).toBe(c.next);
  });

  it('gives up with too-many-combinations instead of searching without end', () => {
    // Every version of x, y and z passed `build`, but no build used usable versions of all
    // three: each x_i/y_i pair came with a disabled z, each usable z with disabled x and y.
    const n = 200;
    const labels = (prefix: string): string[] => [`${prefix}-bad`, ...Array.from({ length: n }, (_, i) => `${prefix}${i}`)];
    const builds = [
      ...Array.from({ length: n }, (_, i) => ({ job: 'build', status: 'succeeded' as const, inputs: { x: `x${i}`, y: `y${i}`, z: 'z-bad' } })),
      ...Array.from({ length: n }, (_, i) => ({ job: 'build', status: 'succeeded' as const, inputs: { x: 'x-bad', y: 'y-bad', z: `z${i}` } })),
    ];
    const spec = (size: number): ScenarioSpec => ({
      resources: { x: labels('x'), y: labels('y'), z: labels('z') },
      disabled: { x: ['x-bad'], y: ['y-bad'], z: ['z-bad'] },
      jobs: {
        build: { inputs: [{ get: 'x' }, { get: 'y' }, { get: 'z' }] },
        deploy: { inputs: ['x', 'y', 'z'].map((get) => ({ get, passed: ['build'], trigger: true })) },
      },
      builds: [...builds.slice(0, size), ...builds.slice(n, n + size)],
      requested: ['deploy'],
    });

    const large = scenario(spec(n));
    const decisions = large.decide();
    expect(large.nextInputs(decisions, 'deploy')).toBeNull();
    expect(large.inputReasonCodes(decisions, 'deploy')).toEqual(['too-many-combinations', 'too-many-combinations', 'too-many-combinations']);

    const small = scenario(spec(5));
    expect(small.inputReasonCodes(small.decide(), 'deploy')).toEqual(['not-same-build', 'not-same-build', 'not-same-build']);
  });
});
