import { describe, expect, it } from 'vitest';
import { defaultTriggerVars, resolveTriggerVars } from '../../src/config/trigger-vars.js';

const MAINTENANCE = [
  { name: 'mode', description: 'turn the maintenance page on or off', default: 'off', values: ['on', 'off'] },
  { name: 'message' },
];

describe('trigger vars of a one-click job', () => {
  it.each([
    ['given values', { mode: 'on', message: 'back at 5' }, { mode: 'on', message: 'back at 5' }],
    ['a default for what is not given', { message: 'x' }, { mode: 'off', message: 'x' }],
  ])('resolves %s', (_name, given, expected) => {
    expect(resolveTriggerVars(MAINTENANCE, given, 'maintenance')).toEqual(expected);
  });

  it.each([
    ['an undeclared var, with a suggestion', MAINTENANCE, { mdoe: 'on', message: 'x' }, 'trigger-var-unknown', /did you mean mode\?/],
    ['a value that is not allowed', MAINTENANCE, { mode: 'maybe', message: 'x' }, 'trigger-var-not-allowed', /allowed: on, off/],
    ['a var without default or value', MAINTENANCE, { mode: 'on' }, 'trigger-var-missing', /-v message=<value>/],
    ['any var for a job that declares none', undefined, { mode: 'on' }, 'trigger-var-unknown', /declares no trigger_vars/],
  ])('refuses %s', (_name, declared, given, code, hint) => {
    expect(() => resolveTriggerVars(declared, given, 'maintenance')).toThrow(expect.objectContaining({ code, hint: expect.stringMatching(hint) }));
  });

  it('gives a scheduled build the defaults only', () => {
    expect(defaultTriggerVars(MAINTENANCE)).toEqual({ mode: 'off' });
    expect(defaultTriggerVars(undefined)).toEqual({});
  });
});
