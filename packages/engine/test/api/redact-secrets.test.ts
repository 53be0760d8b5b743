import { describe, expect, it } from 'vitest';
import { configForReaders } from '../../src/api/config-for-readers.js';
import { REDACTED, redactSecrets } from '../../src/api/redact-secrets.js';

describe('redactSecrets', () => {
  it.each([
    ['a whole value', { token: 'abc123' }, ['abc123'], { token: REDACTED }],
    ['inside a longer string', { url: 'https://user:abc123@host' }, ['abc123'], { url: `https://user:${REDACTED}@host` }],
    ['a number a var supplied', { port: 5432 }, ['5432'], { port: REDACTED }],
    ['in keys and arrays', { abc123: ['x abc123'] }, ['abc123'], { [REDACTED]: [`x ${REDACTED}`] }],
    ['the longer of two overlapping secrets', { v: 'abcdef' }, ['abc', 'abcdef'], { v: REDACTED }],
    ['nothing for an empty secret', { v: 'text' }, [''], { v: 'text' }],
    ['nothing without secrets', { v: 'text', n: 1, b: true, z: null }, [], { v: 'text', n: 1, b: true, z: null }],
  ])('redacts %s', (_name, value, secrets, expected) => {
    expect(redactSecrets(value, secrets)).toEqual(expected);
  });

  it('leaves the original alone', () => {
    const config = { token: 'abc123' };
    redactSecrets(config, ['abc123']);
    expect(config.token).toBe('abc123');
  });
});

describe('configForReaders', () => {
  it('hides var values and webhook tokens, but shows the values of instance vars', () => {
    const config = { resources: [{ name: 'repo', webhook_token: 'hook-token', source: { branch: 'pr-123', password: 'abc123', empty: '' } }] };
    expect(configForReaders(config, ['abc123', '123', ''], { pr: 123 })).toEqual({
      resources: [{ name: 'repo', webhook_token: REDACTED, source: { branch: 'pr-123', password: REDACTED, empty: '' } }],
    });
  });
});
