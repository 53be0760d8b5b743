import { describe, expect, it } from 'vitest';
import { matchInstance } from '../../src/pipelines/instance-match.js';

const instance = (instanceVars: Record<string, unknown>) => ({ instanceVars });

describe('matchInstance', () => {
  it.each([
    ['the exact vars', { pr: 1 }, [{ pr: 1 }, { pr: 2 }], { kind: 'found', pipeline: instance({ pr: 1 }) }],
    ['a number for a string', { pr: 1 }, [{ pr: '1' }], { kind: 'found', pipeline: instance({ pr: '1' }) }],
    ['a string for a number', { pr: '7' }, [{ pr: 7 }], { kind: 'found', pipeline: instance({ pr: 7 }) }],
    ['a boolean for a string, nested', { env: { on: true } }, [{ env: { on: 'true' } }], { kind: 'found', pipeline: instance({ env: { on: 'true' } }) }],
    ['the exact one over a loose one', { pr: 1 }, [{ pr: '1' }, { pr: 1 }], { kind: 'found', pipeline: instance({ pr: 1 }) }],
    ['nothing for another spelling', { pr: '01' }, [{ pr: 1 }], { kind: 'none' }],
    ['nothing for fewer vars', { pr: 1 }, [{ pr: 1, branch: 'main' }], { kind: 'none' }],
    ['nothing for null and "null"', { pr: null }, [{ pr: 'null' }], { kind: 'none' }],
    [
      'both of two loose matches',
      { pr: '1', on: 'true' },
      [{ pr: 1, on: 'true' }, { pr: '1', on: true }],
      { kind: 'ambiguous', candidates: [instance({ pr: 1, on: 'true' }), instance({ pr: '1', on: true })] },
    ],
  ])('finds %s', (_what, wanted, instances, expected) => {
    expect(matchInstance(wanted, instances.map(instance))).toEqual(expected);
  });
});
