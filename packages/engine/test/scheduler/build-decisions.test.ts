import { describe, expect, it } from 'vitest';
import { scenario, type ScenarioSpec } from './scenario.js';

/**
 * Each case: a pipeline with its versions and builds; the builds one scheduling pass starts or
 * creates (`start job#name inputs` for a pending build, `run job inputs` for a new build
 * started at once, `queue job` for a new pending build), in decision order; and the reason
 * codes in the explanation of `job` (blockers, then input reasons).
 */
interface BuildCase {
  name: string;
  spec: ScenarioSpec;
  builds: string[];
  job: string;
  codes: string[];
}

const repo = (...versions: string[]): Record<string, string[]> => ({ repo: versions });
const trigger = { get: 'repo', trigger: true };

const TRIGGERING: BuildCase[] = [
  {
    name: 'a trigger input with a new version creates a build that starts at once',
    spec: { resources: repo('c1', 'c2'), jobs: { unit: { inputs: [trigger] } }, builds: [{ job: 'unit', status: 'succeeded', inputs: { repo: 'c1' } }] },
    builds: ['run unit repo=c2'],
    job: 'unit',
    codes: [],
  },
  {
    name: 'the first build of a job runs on the latest version',
    spec: { resources: repo('c1', 'c2'), jobs: { unit: { inputs: [trigger] } } },
    builds: ['run unit repo=c2'],
    job: 'unit',
    codes: [],
  },
  {
    name: 'without a trigger input nothing is created',
    spec: { resources: repo('c1', 'c2'), jobs: { unit: { inputs: [{ get: 'repo' }] } } },
    builds: [],
    job: 'unit',
    codes: ['no-trigger-input'],
  },
  {
    name: 'a trigger input whose version was already used creates nothing',
    spec: { resources: repo('c1', 'c2'), jobs: { unit: { inputs: [trigger] } }, builds: [{ job: 'unit', status: 'failed', inputs: { repo: 'c2' } }] },
    builds: [],
    job: 'unit',
    codes: ['no-new-trigger-version'],
  },
  {
    name: 'a new version of an input without trigger creates nothing',
    spec: {
      resources: { repo: ['c1'], lib: ['l1', 'l2'] },
      jobs: { unit: { inputs: [trigger, { get: 'lib' }] } },
      builds: [{ job: 'unit', status: 'succeeded', inputs: { repo: 'c1', lib: 'l1' } }],
    },
    builds: [],
    job: 'unit',
    codes: ['no-new-trigger-version'],
  },
  {
    name: 'a new trigger version brings the newest versions of the other inputs along',
    spec: {
      resources: { repo: ['c1', 'c2'], lib: ['l1', 'l2'] },
      jobs: { unit: { inputs: [trigger, { get: 'lib' }] } },
      builds: [{ job: 'unit', status: 'succeeded', inputs: { repo: 'c1', lib: 'l1' } }],
    },
    builds: ['run unit repo=c2 lib=l2'],
    job: 'unit',
    codes: [],
  },
  {
    name: 'a version counts as used even when the build that used it failed',
    spec: {
      resources: repo('c1', 'c2'),
      jobs: { unit: { inputs: [trigger] } },
      builds: [
        { job: 'unit', status: 'succeeded', inputs: { repo: 'c1' } },
        { job: 'unit', status: 'aborted', inputs: { repo: 'c2' } },
      ],
    },
    builds: [],
    job: 'unit',
    codes: ['no-new-trigger-version'],
  },
  {
    name: 'unsatisfiable inputs create nothing, even with a new trigger version elsewhere',
    spec: {
      resources: { repo: ['c1', 'c2'], lib: ['l1'] },
      jobs: { build: { inputs: [{ get: 'lib' }] }, unit: { inputs: [trigger, { get: 'lib', passed: ['build'] }] } },
      requested: ['unit'],
    },
    builds: [],
    job: 'unit',
    codes: ['not-passed'],
  },
  {
    name: 'an existing pending build takes the new version instead of a second one being created',
    spec: {
      resources: repo('c1', 'c2', 'c3'),
      jobs: { unit: { inputs: [trigger] } },
      builds: [
        { job: 'unit', status: 'succeeded', inputs: { repo: 'c1' } },
        { job: 'unit', status: 'pending' },
      ],
    },
    builds: ['start unit#2 repo=c3'],
    job: 'unit',
    codes: [],
  },
  {
    name: 'a manual build starts with the latest versions even without trigger inputs',
    spec: { resources: repo('c1', 'c2'), jobs: { unit: { inputs: [{ get: 'repo' }] } }, builds: [{ job: 'unit', status: 'pending', manual: true }] },
    builds: ['start unit#1 repo=c2'],
    job: 'unit',
    codes: [],
  },
  {
    name: 'a manual build whose inputs cannot be satisfied stays pending',
    spec: {
      resources: repo('c1'),
      jobs: { unit: { inputs: [{ get: 'repo' }] }, deploy: { inputs: [{ get: 'repo', passed: ['unit'] }] } },
      builds: [{ job: 'deploy', status: 'pending', manual: true }],
      requested: ['deploy'],
    },
    builds: [],
    job: 'deploy',
    codes: ['not-passed'],
  },
  {
    name: 'a pending manual build keeps a second build from being created while it waits',
    spec: {
      resources: repo('c1', 'c2'),
      jobs: { unit: { inputs: [trigger], serial: true } },
      builds: [
        { job: 'unit', status: 'started', inputs: { repo: 'c1' } },
        { job: 'unit', status: 'pending', manual: true },
      ],
    },
    builds: [],
    job: 'unit',
    codes: ['max-in-flight'],
  },
  {
    name: 'a rerun starts with the inputs of the build it reruns, not the newest ones',
    spec: {
      resources: repo('c1', 'c2', 'c3'),
      jobs: { unit: { inputs: [trigger] } },
      builds: [
        { job: 'unit', status: 'failed', inputs: { repo: 'c1' } },
        { job: 'unit', status: 'succeeded', inputs: { repo: 'c3' } },
        { job: 'unit', status: 'pending', name: '1.1', rerun: { repo: 'c1' } },
      ],
    },
    builds: ['start unit#1.1 repo=c1'],
    job: 'unit',
    codes: [],
  },
  {
    name: 'a rerun starts even when its inputs could no longer be chosen',
    spec: {
      resources: repo('c1', 'c2'),
      disabled: { repo: ['c1', 'c2'] },
      jobs: { unit: { inputs: [trigger] } },
      builds: [
        { job: 'unit', status: 'failed', inputs: { repo: 'c1' } },
        { job: 'unit', status: 'pending', manual: true },
        { job: 'unit', status: 'pending', name: '1.1', rerun: { repo: 'c1' } },
      ],
    },
    builds: ['start unit#1.1 repo=c1'],
    job: 'unit',
    codes: ['disabled'],
  },
  {
    name: 'a paused job creates and starts nothing',
    spec: {
      resources: repo('c1', 'c2'),
      jobs: { unit: { inputs: [trigger], paused: true } },
      builds: [{ job: 'unit', status: 'pending', manual: true }],
    },
    builds: [],
    job: 'unit',
    codes: ['job-paused'],
  },
  {
    name: 'a paused pipeline creates and starts nothing',
    spec: {
      resources: repo('c1', 'c2'),
      pipelinePaused: true,
      jobs: { unit: { inputs: [trigger] }, lint: { inputs: [trigger] } },
      builds: [{ job: 'lint', status: 'pending', manual: true }],
    },
    builds: [],
    job: 'lint',
    codes: ['pipeline-paused'],
  },
  {
    name: 'a paused job in a paused pipeline names both',
    spec: { resources: repo('c1'), pipelinePaused: true, jobs: { unit: { inputs: [trigger], paused: true } } },
    builds: [],
    job: 'unit',
    codes: ['pipeline-paused', 'job-paused'],
  },
];

const SLOTS: BuildCase[] = [
  {
    name: 'serial: a new version while a build runs creates one pending build',
    spec: { resources: repo('c1', 'c2'), jobs: { unit: { inputs: [trigger], serial: true } }, builds: [{ job: 'unit', status: 'started', inputs: { repo: 'c1' } }] },
    builds: ['queue unit'],
    job: 'unit',
    codes: ['max-in-flight'],
  },
  {
    name: 'serial: nothing running, the new build starts at once',
    spec: { resources: repo('c1', 'c2'), jobs: { unit: { inputs: [trigger], serial: true } }, builds: [{ job: 'unit', status: 'succeeded', inputs: { repo: 'c1' } }] },
    builds: ['run unit repo=c2'],
    job: 'unit',
    codes: [],
  },
  {
    name: 'serial: a pending build waits for the running one',
    spec: {
      resources: repo('c1', 'c2'),
      jobs: { unit: { inputs: [trigger], serial: true } },
      builds: [
        { job: 'unit', status: 'started', inputs: { repo: 'c1' } },
        { job: 'unit', status: 'pending' },
      ],
    },
    builds: [],
    job: 'unit',
    codes: ['max-in-flight'],
  },
  {
    name: 'max_in_flight: pending builds start oldest first while slots last',
    spec: {
      resources: repo('c1', 'c2'),
      jobs: { unit: { inputs: [{ get: 'repo' }], maxInFlight: 2 } },
      builds: [
        { job: 'unit', status: 'started', inputs: { repo: 'c1' } },
        { job: 'unit', status: 'pending', manual: true },
        { job: 'unit', status: 'pending', manual: true },
        { job: 'unit', status: 'pending', manual: true },
      ],
    },
    builds: ['start unit#2 repo=c2'],
    job: 'unit',
    codes: ['max-in-flight'],
  },
  {
    name: 'max_in_flight: several pending builds start in one pass when slots allow',
    spec: {
      resources: repo('c1', 'c2'),
      jobs: { unit: { inputs: [{ get: 'repo' }], maxInFlight: 3 } },
      builds: [
        { job: 'unit', status: 'pending', manual: true },
        { job: 'unit', status: 'pending', manual: true },
        { job: 'unit', status: 'pending', manual: true },
        { job: 'unit', status: 'pending', manual: true },
      ],
    },
    builds: ['start unit#1 repo=c2', 'start unit#2 repo=c2', 'start unit#3 repo=c2'],
    job: 'unit',
    codes: ['max-in-flight'],
  },
  {
    name: 'max_in_flight: a rerun waits its turn like any pending build',
    spec: {
      resources: repo('c1', 'c2'),
      jobs: { unit: { inputs: [trigger], maxInFlight: 1 } },
      builds: [
        { job: 'unit', status: 'started', inputs: { repo: 'c1' } },
        { job: 'unit', status: 'pending', name: '1.1', rerun: { repo: 'c1' } },
      ],
    },
    builds: [],
    job: 'unit',
    codes: ['max-in-flight'],
  },
  {
    name: 'max_in_flight: a rerun takes the place of the build it reruns, ahead of later builds',
    spec: {
      resources: repo('c1', 'c2'),
      jobs: { unit: { inputs: [trigger], maxInFlight: 1 } },
      builds: [
        { job: 'unit', status: 'failed', inputs: { repo: 'c1' } },
        { job: 'unit', status: 'pending', manual: true },
        { job: 'unit', status: 'pending', name: '1.1', rerun: { repo: 'c1' } },
      ],
    },
    builds: ['start unit#1.1 repo=c1'],
    job: 'unit',
    codes: ['max-in-flight'],
  },
  {
    name: 'every with max_in_flight 3 starts one build per new version in one pass',
    spec: {
      resources: repo('c1', 'c2', 'c3', 'c4'),
      jobs: { unit: { inputs: [{ get: 'repo', version: 'every', trigger: true }], maxInFlight: 3 } },
      builds: [{ job: 'unit', status: 'succeeded', inputs: { repo: 'c1' } }],
    },
    builds: ['run unit repo=c2', 'run unit repo=c3', 'run unit repo=c4'],
    job: 'unit',
    codes: [],
  },
  {
    name: 'every with fewer slots than new versions starts what fits and queues one build',
    spec: {
      resources: repo('c1', 'c2', 'c3', 'c4'),
      jobs: { unit: { inputs: [{ get: 'repo', version: 'every', trigger: true }], maxInFlight: 2 } },
      builds: [{ job: 'unit', status: 'succeeded', inputs: { repo: 'c1' } }],
    },
    builds: ['run unit repo=c2', 'run unit repo=c3', 'queue unit'],
    job: 'unit',
    codes: ['max-in-flight'],
  },
  {
    name: 'serial groups: a build of another job in the group is running',
    spec: {
      resources: repo('c1', 'c2'),
      jobs: { a: { inputs: [trigger], serialGroups: ['deploy'] }, b: { inputs: [trigger], serialGroups: ['deploy'] } },
      builds: [
        { job: 'a', status: 'started', inputs: { repo: 'c1' } },
        { job: 'b', status: 'succeeded', inputs: { repo: 'c1' } },
      ],
      requested: ['b'],
    },
    builds: ['queue b'],
    job: 'b',
    codes: ['serial-group-busy'],
  },
  {
    name: 'serial groups: the older pending build starts first, whatever job it belongs to',
    spec: {
      resources: repo('c1', 'c2'),
      jobs: { a: { inputs: [{ get: 'repo' }], serialGroups: ['deploy'] }, b: { inputs: [{ get: 'repo' }], serialGroups: ['deploy'] } },
      builds: [
        { job: 'b', status: 'pending', manual: true },
        { job: 'a', status: 'pending', manual: true },
      ],
    },
    builds: ['start b#1 repo=c2'],
    job: 'a',
    codes: ['serial-group-busy'],
  },
  {
    name: 'serial groups: a rerun takes the place of the build it reruns, ahead of a later build of another job',
    spec: {
      resources: repo('c1', 'c2'),
      jobs: { a: { inputs: [{ get: 'repo' }], serialGroups: ['deploy'] }, b: { inputs: [{ get: 'repo' }], serialGroups: ['deploy'] } },
      builds: [
        { job: 'b', status: 'failed', inputs: { repo: 'c1' } },
        { job: 'a', status: 'pending', manual: true },
        { job: 'b', status: 'pending', name: '1.1', rerun: { repo: 'c1' } },
      ],
    },
    builds: ['start b#1.1 repo=c1'],
    job: 'a',
    codes: ['serial-group-busy'],
  },
  {
    name: 'serial groups: a job does not jump ahead of an older pending build of another job',
    spec: {
      resources: { repo: ['c1', 'c2'], other: ['o1'] },
      jobs: {
        a: { inputs: [trigger], serialGroups: ['deploy'] },
        b: { inputs: [{ get: 'other' }], serialGroups: ['deploy', 'db'] },
        c: { inputs: [{ get: 'other' }], serialGroups: ['db'] },
      },
      builds: [
        { job: 'c', status: 'started', inputs: { other: 'o1' } },
        { job: 'b', status: 'pending', manual: true },
        { job: 'a', status: 'succeeded', inputs: { repo: 'c1' } },
      ],
      requested: ['a', 'b'],
    },
    builds: ['queue a'],
    job: 'a',
    codes: ['serial-group-busy'],
  },
  {
    name: 'serial groups: two jobs with new versions, one runs and the other queues',
    spec: {
      resources: repo('c1'),
      jobs: { a: { inputs: [trigger], serialGroups: ['deploy'] }, b: { inputs: [trigger], serialGroups: ['deploy'] } },
    },
    builds: ['run a repo=c1', 'queue b'],
    job: 'b',
    codes: ['serial-group-busy'],
  },
  {
    name: 'serial groups: a paused job does not hold up the group',
    spec: {
      resources: repo('c1'),
      jobs: { a: { inputs: [{ get: 'repo' }], serialGroups: ['deploy'], paused: true }, b: { inputs: [{ get: 'repo' }], serialGroups: ['deploy'] } },
      builds: [
        { job: 'a', status: 'pending', manual: true },
        { job: 'b', status: 'pending', manual: true },
      ],
    },
    builds: ['start b#1 repo=c1'],
    job: 'b',
    codes: [],
  },
  {
    name: 'serial groups: a build whose inputs cannot be resolved does not hold up the group',
    spec: {
      resources: repo('c1'),
      jobs: {
        unit: { inputs: [{ get: 'repo' }] },
        a: { inputs: [{ get: 'repo', passed: ['unit'] }], serialGroups: ['deploy'] },
        b: { inputs: [{ get: 'repo' }], serialGroups: ['deploy'] },
      },
      builds: [
        { job: 'a', status: 'pending', manual: true },
        { job: 'b', status: 'pending', manual: true },
      ],
      requested: ['a', 'b'],
    },
    builds: ['start b#1 repo=c1'],
    job: 'a',
    codes: ['not-passed'],
  },
  {
    name: 'serial groups: a pending build of a job outside the snapshot keeps its place',
    spec: {
      resources: repo('c1'),
      jobs: { a: { inputs: [{ get: 'repo' }], serialGroups: ['deploy'] }, b: { inputs: [{ get: 'repo' }], serialGroups: ['deploy'] } },
      builds: [
        { job: 'a', status: 'pending', manual: true },
        { job: 'b', status: 'pending', manual: true },
      ],
      requested: ['b'],
    },
    builds: [],
    job: 'b',
    codes: ['serial-group-busy'],
  },
  {
    name: 'in one pass, a started build uses its version up: no second build for the same version',
    spec: {
      resources: repo('c1', 'c2'),
      jobs: { unit: { inputs: [trigger] } },
      builds: [
        { job: 'unit', status: 'succeeded', inputs: { repo: 'c1' } },
        { job: 'unit', status: 'pending' },
      ],
    },
    builds: ['start unit#2 repo=c2'],
    job: 'unit',
    codes: [],
  },
  {
    name: 'in one pass, every moves on after a pending build starts, and the next version runs too',
    spec: {
      resources: repo('c1', 'c2', 'c3'),
      jobs: { unit: { inputs: [{ get: 'repo', version: 'every', trigger: true }], maxInFlight: 3 } },
      builds: [
        { job: 'unit', status: 'succeeded', inputs: { repo: 'c1' } },
        { job: 'unit', status: 'pending' },
      ],
    },
    builds: ['start unit#2 repo=c2', 'run unit repo=c3'],
    job: 'unit',
    codes: [],
  },
  {
    name: 'in one pass, a build started by one job counts against its serial group for the next',
    spec: {
      resources: repo('c1'),
      jobs: { a: { inputs: [{ get: 'repo' }], serialGroups: ['deploy'] }, b: { inputs: [trigger], serialGroups: ['deploy'] } },
      builds: [{ job: 'a', status: 'pending', manual: true }],
    },
    builds: ['start a#1 repo=c1', 'queue b'],
    job: 'b',
    codes: ['serial-group-busy'],
  },
];

const BUILD_SLOTS: BuildCase[] = [
  {
    name: 'with every build slot taken, a new trigger version creates a pending build that says it waits for a slot',
    spec: {
      resources: repo('c1', 'c2'),
      jobs: { unit: { inputs: [trigger] }, other: { inputs: [{ get: 'repo' }] } },
      builds: [{ job: 'other', status: 'started', inputs: { repo: 'c1' } }],
      maxRunningBuilds: 1,
    },
    builds: ['queue unit'],
    job: 'unit',
    codes: ['build-slots-full'],
  },
  {
    name: 'a pending build waits for a slot taken by another job\'s build',
    spec: {
      resources: repo('c1'),
      jobs: { unit: { inputs: [{ get: 'repo' }] }, other: { inputs: [{ get: 'repo' }] } },
      builds: [
        { job: 'other', status: 'started', inputs: { repo: 'c1' } },
        { job: 'unit', status: 'pending', manual: true },
      ],
      maxRunningBuilds: 1,
    },
    builds: [],
    job: 'unit',
    codes: ['build-slots-full'],
  },
  {
    name: 'builds started earlier in the same pass take the slots: the rest wait pending',
    spec: {
      resources: repo('c1'),
      jobs: { a: { inputs: [trigger] }, b: { inputs: [trigger] }, c: { inputs: [trigger] } },
      maxRunningBuilds: 2,
    },
    builds: ['run a repo=c1', 'run b repo=c1', 'queue c'],
    job: 'c',
    codes: ['build-slots-full'],
  },
  {
    name: 'every pending build starts while slots are free',
    spec: {
      resources: repo('c1'),
      jobs: { a: { inputs: [{ get: 'repo' }] }, b: { inputs: [{ get: 'repo' }] } },
      builds: [
        { job: 'a', status: 'pending', manual: true },
        { job: 'b', status: 'pending', manual: true },
      ],
      maxRunningBuilds: 2,
    },
    builds: ['start a#1 repo=c1', 'start b#1 repo=c1'],
    job: 'b',
    codes: [],
  },
  {
    name: 'a job at its max_in_flight names that, and the full engine too',
    spec: {
      resources: repo('c1', 'c2'),
      jobs: { unit: { inputs: [trigger], serial: true } },
      builds: [{ job: 'unit', status: 'started', inputs: { repo: 'c1' } }],
      maxRunningBuilds: 1,
    },
    builds: ['queue unit'],
    job: 'unit',
    codes: ['max-in-flight', 'build-slots-full'],
  },
];

describe.each([
  ['triggering and starting builds', TRIGGERING],
  ['max_in_flight, serial and serial groups', SLOTS],
  ['the engine\'s bound on running builds', BUILD_SLOTS],
])('%s', (_title, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const s = scenario(c.spec);
    const decisions = s.decide();
    expect(s.buildLines(decisions)).toEqual(c.builds);
    expect(s.reasonCodes(decisions, c.job)).toEqual(c.codes);
  });
});

describe('decisions within one pass', () => {
  it('says when a build waits only for a build slot, so the loop offers it the next free one', () => {
    const full = scenario({ resources: repo('c1'), jobs: { a: { inputs: [trigger] }, b: { inputs: [trigger] } }, maxRunningBuilds: 1 }).decide();
    expect(full.waitingForBuildSlot).toBe(true);
    const blockedByItsJob = scenario({
      resources: repo('c1', 'c2'),
      jobs: { unit: { inputs: [trigger], serial: true } },
      builds: [{ job: 'unit', status: 'started', inputs: { repo: 'c1' } }],
      maxRunningBuilds: 5,
    }).decide();
    expect(blockedByItsJob.waitingForBuildSlot).toBe(false);
  });

  it('explains a slot wait with the running count and the bound', () => {
    const s = scenario({ resources: repo('c1'), jobs: { a: { inputs: [trigger] }, b: { inputs: [trigger] } }, maxRunningBuilds: 1 });
    expect(s.decide().jobs.find((job) => job.jobId === s.job('b'))?.explanation?.summary).toBe('1 build waiting: waiting for a build slot (1 running, limit 1)');
  });

  it('marks only the first of several builds started on the same version as a first occurrence', () => {
    const s = scenario({
      resources: repo('c1', 'c2'),
      jobs: { unit: { inputs: [{ get: 'repo' }] } },
      builds: [
        { job: 'unit', status: 'pending', manual: true },
        { job: 'unit', status: 'pending', manual: true },
      ],
    });
    const decisions = s.decide();
    expect(decisions.startBuilds.map((b) => b.inputs.map((i) => i.firstOccurrence))).toEqual([[true], [false]]);
    expect(s.firstOccurrences(decisions, 'unit')).toEqual([]);
  });

  it('reports the next inputs after the pass: every has moved past the versions started', () => {
    const s = scenario({
      resources: repo('c1', 'c2', 'c3'),
      jobs: { unit: { inputs: [{ get: 'repo', version: 'every', trigger: true }], serial: true } },
      builds: [{ job: 'unit', status: 'succeeded', inputs: { repo: 'c1' } }],
    });
    const decisions = s.decide();
    expect(s.buildLines(decisions)).toEqual(['run unit repo=c2', 'queue unit']);
    expect(s.nextInputs(decisions, 'unit')).toBe('repo=c3');
  });

  it('still resolves and explains the inputs of a paused job', () => {
    const s = scenario({ resources: repo('c1', 'c2'), jobs: { unit: { inputs: [trigger], paused: true } } });
    const decisions = s.decide();
    expect(s.nextInputs(decisions, 'unit')).toBe('repo=c2');
    expect(s.candidateLines(decisions, 'unit', 'repo')).toEqual(['c2:ok']);
  });
});
