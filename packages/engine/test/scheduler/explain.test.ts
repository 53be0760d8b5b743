import { describe, expect, it } from 'vitest';
import { decideNextBuilds, explainJob, JobNotInSnapshotError } from '../../src/scheduler/index.js';
import { scenario } from './scenario.js';

const versions = (count: number): string[] => Array.from({ length: count }, (_, i) => `c${i + 1}`);

describe('explainJob', () => {
  it('is the explanation the scheduling pass gives the job', () => {
    const s = scenario({ resources: { repo: ['c1', 'c2'] }, jobs: { unit: { inputs: [{ get: 'repo', trigger: true }], paused: true } } });
    expect(explainJob(s.snapshot, s.job('unit'))).toEqual(s.explanation(s.decide(), 'unit'));
  });

  it('leaves out nothing but the explanations when a pass is asked for decisions only', () => {
    const s = scenario({
      resources: { repo: ['c1', 'c2', 'c3'], cfg: ['g1'] },
      jobs: {
        unit: { inputs: [{ get: 'repo', trigger: true, version: 'every' }], maxInFlight: 1 },
        deploy: { inputs: [{ get: 'repo', passed: ['unit'], trigger: true }, { get: 'cfg' }] },
        lint: { inputs: [{ get: 'repo', trigger: true }], paused: true },
      },
      builds: [{ job: 'unit', status: 'succeeded', inputs: { repo: 'c1' } }],
    });
    const full = decideNextBuilds(s.snapshot);
    const lean = decideNextBuilds(s.snapshot, { explain: false });
    expect(lean.jobs.every((job) => job.explanation === undefined)).toBe(true);
    expect(full.jobs.every((job) => job.explanation !== undefined)).toBe(true);
    expect(lean).toEqual({ ...full, jobs: full.jobs.map(({ explanation: _, ...job }) => job) });
  });

  it('refuses a job that is not in the snapshot', () => {
    const s = scenario({ resources: { repo: ['c1'] }, jobs: { unit: { inputs: [{ get: 'repo' }] }, lint: { inputs: [{ get: 'repo' }] } }, requested: ['unit'] });
    expect(() => explainJob(s.snapshot, s.job('lint'))).toThrow(JobNotInSnapshotError);
  });
});

describe('explanations', () => {
  it('gives an input that is fine on its own the linked input that holds it back, and the job that ties them', () => {
    const s = scenario({
      resources: { app: ['a1'], cfg: ['g1'] },
      jobs: {
        build: { inputs: [{ get: 'app' }, { get: 'cfg' }] },
        deploy: { inputs: [{ get: 'app', passed: ['build'], trigger: true }, { get: 'cfg', passed: ['build'] }] },
      },
      // cfg went through build, app's only version is disabled: app has nothing usable.
      builds: [{ job: 'build', status: 'succeeded', inputs: { app: 'a1', cfg: 'g1' } }],
      disabled: { app: ['a1'] },
      requested: ['deploy'],
    });
    const [app, cfg] = s.explanation(s.decide(), 'deploy').inputs;
    expect(app?.reasons.map((r) => r.code)).toEqual(['disabled']);
    expect(cfg?.reasons.map((r) => r.code)).toEqual(['linked-input-unusable']);
    expect(cfg?.reasons[0]?.message).toMatch(/input app.*passed job build/);
  });

  it('says a resource whose source changed has a new history that the passed job has not used yet', () => {
    const s = scenario({
      resources: { repo: ['n1', 'n2'] },
      jobs: { unit: { inputs: [{ get: 'repo' }] }, deploy: { inputs: [{ get: 'repo', passed: ['unit'], trigger: true }] } },
      passedBeforeSourceChange: { unit: ['repo'] },
      requested: ['deploy'],
    });
    const [repo] = s.explanation(s.decide(), 'deploy').inputs;
    expect(repo?.reasons.map((r) => r.code)).toEqual(['source-changed']);
    expect(repo?.reasons[0]?.message).toMatch(/source of repo changed.*new history.*unit/);
    expect(s.candidateLines(s.decide(), 'deploy', 'repo')).toEqual(['n2:source-changed', 'n1:source-changed']);
  });

  it('says not-passed, not source-changed, once the passed job used a version of the new history', () => {
    const s = scenario({
      resources: { repo: ['n1', 'n2'] },
      jobs: { unit: { inputs: [{ get: 'repo' }] }, lint: { inputs: [{ get: 'repo' }] }, deploy: { inputs: [{ get: 'repo', passed: ['unit', 'lint'], trigger: true }] } },
      builds: [
        { job: 'unit', status: 'succeeded', inputs: { repo: 'n2' } },
        { job: 'lint', status: 'succeeded', inputs: { repo: 'n1' } },
      ],
      passedBeforeSourceChange: { unit: ['repo'], lint: ['repo'] },
      requested: ['deploy'],
    });
    const decisions = s.decide();
    expect(s.inputReasonCodes(decisions, 'deploy')).toEqual(['not-passed']);
    expect(s.candidateLines(decisions, 'deploy', 'repo')).toEqual(['n2:not-passed', 'n1:not-passed']);
  });

  it('lists at most 10 candidates and counts the rest', () => {
    const s = scenario({
      resources: { repo: versions(15) },
      jobs: { unit: { inputs: [{ get: 'repo' }] }, deploy: { inputs: [{ get: 'repo', passed: ['unit'] }] } },
      requested: ['deploy'],
    });
    const [repo] = s.explanation(s.decide(), 'deploy').inputs;
    expect(repo?.candidates.map((c) => s.label(c.versionId))).toEqual(['c15', 'c14', 'c13', 'c12', 'c11', 'c10', 'c9', 'c8', 'c7', 'c6']);
    expect(repo?.omittedCandidates).toBe(5);
    expect(repo?.candidates.every((c) => c.rejections.map((r) => r.code).join() === 'not-passed')).toBe(true);
  });

  it('always lists the chosen version, even past the first 10', () => {
    const s = scenario({
      resources: { repo: versions(15) },
      jobs: { unit: { inputs: [{ get: 'repo' }] }, deploy: { inputs: [{ get: 'repo', passed: ['unit'] }] } },
      builds: [{ job: 'unit', status: 'succeeded', inputs: { repo: 'c2' } }],
      requested: ['deploy'],
    });
    const [repo] = s.explanation(s.decide(), 'deploy').inputs;
    expect(repo?.candidates.map((c) => `${s.label(c.versionId)}:${c.accepted}`)).toEqual([
      ...['c15', 'c14', 'c13', 'c12', 'c11', 'c10', 'c9', 'c8', 'c7'].map((label) => `${label}:false`),
      'c2:true',
    ]);
    expect(repo?.omittedCandidates).toBe(4);
    expect(repo?.chosen).toBe(s.version('repo', 'c2'));
  });

  it('shows each candidate as the resource reports it', () => {
    const s = scenario({ resources: { repo: ['c1'] }, jobs: { unit: { inputs: [{ get: 'repo' }] } } });
    expect(s.explanation(s.decide(), 'unit').inputs[0]?.candidates[0]?.version).toEqual({ ref: 'c1' });
  });

  // Messages are for people; these checks only make sure they name what the user must look at.
  it('names the upstream job and the other input when versions did not go through the same build', () => {
    const s = scenario({
      resources: { app: ['a1', 'a2'], cfg: ['g1', 'g2'] },
      jobs: {
        build: { inputs: [{ get: 'app' }, { get: 'cfg' }] },
        deploy: { inputs: [{ get: 'app', passed: ['build'] }, { get: 'cfg', passed: ['build'] }] },
      },
      builds: [
        { job: 'build', status: 'succeeded', inputs: { app: 'a2', cfg: 'g1' } },
        { job: 'build', status: 'succeeded', inputs: { app: 'a1', cfg: 'g2' } },
      ],
      requested: ['deploy'],
    });
    const cfg = s.explanation(s.decide(), 'deploy').inputs[1];
    const message = cfg?.candidates[0]?.rejections[0]?.message ?? '';
    expect(message).toContain('build');
    expect(message).toContain('app ref:a2');
  });

  it('names the pinned version when a resource pin keeps newer versions out', () => {
    const s = scenario({ resources: { repo: ['c1', 'c2'] }, pins: { repo: 'c1' }, jobs: { unit: { inputs: [{ get: 'repo' }] } } });
    expect(s.explanation(s.decide(), 'unit').inputs[0]?.candidates[0]?.rejections[0]?.message).toContain('ref:c1');
  });

  it('names the serial group that is busy', () => {
    const s = scenario({
      resources: { repo: ['c1', 'c2'] },
      jobs: { a: { inputs: [{ get: 'repo', trigger: true }], serialGroups: ['prod-deploys'] }, b: { inputs: [{ get: 'repo' }], serialGroups: ['prod-deploys'] } },
      builds: [{ job: 'b', status: 'started', inputs: { repo: 'c1' } }],
      requested: ['a'],
    });
    const explanation = s.explanation(s.decide(), 'a');
    expect(explanation.blockers.map((b) => b.code)).toEqual(['serial-group-busy']);
    expect(explanation.blockers[0]?.message).toContain('prod-deploys');
    expect(explanation.summary).toContain('prod-deploys');
  });

  it('summarizes an unsatisfied input by naming it', () => {
    const s = scenario({
      resources: { repo: ['c1'] },
      jobs: { unit: { inputs: [{ get: 'repo' }] }, deploy: { inputs: [{ get: 'repo', passed: ['unit'], trigger: true }] } },
      requested: ['deploy'],
    });
    const explanation = s.explanation(s.decide(), 'deploy');
    expect(explanation.summary).toContain('repo');
    expect(explanation.summary).toContain('unit');
  });

  it('explains every requested job, also those that need nothing', () => {
    const s = scenario({ resources: { repo: ['c1'] }, jobs: { a: { inputs: [] }, b: { inputs: [{ get: 'repo' }] } } });
    const decisions = s.decide();
    expect(decisions.jobs.map((d) => d.explanation?.job)).toEqual(['a', 'b']);
    expect(decisions.jobs.map((d) => d.nextInputs?.length)).toEqual([0, 1]);
  });
});
