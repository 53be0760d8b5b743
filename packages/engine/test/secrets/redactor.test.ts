import { describe, expect, it } from 'vitest';
import { configForReaders } from '../../src/api/config-for-readers.js';
import { REDACTED, Redactor } from '../../src/secrets/redactor.js';

describe('redactor', () => {
  it('redacts every secret, the longest first, and leaves short values alone', () => {
    const redactor = new Redactor(['hunter22', 'hunter22-extended', 'ab']);
    expect(redactor.redact('a hunter22-extended and a hunter22 and ab')).toBe('a ((redacted)) and a ((redacted)) and ab');
  });

  it('redacts a secret of several lines line by line, as output is redacted a line at a time', () => {
    const redactor = new Redactor();
    redactor.add(['-----BEGIN KEY-----\n  supersecretline1\nsupersecretline2\n-----END KEY-----\n']);
    expect(['-----BEGIN KEY-----', 'supersecretline1', 'x supersecretline2 y'].map((line) => redactor.redact(line))).toEqual([
      '((redacted))',
      '((redacted))',
      'x ((redacted)) y',
    ]);
  });

  it('treats secrets as text, not as patterns', () => {
    const redactor = new Redactor(['a.b*c', '(x)+']);
    expect(redactor.redact('a.b*c axbbc (x)+ xx')).toBe('((redacted)) axbbc ((redacted)) xx');
  });
});

describe('redacting a JSON value', () => {
  it.each([
    ['a whole value', { token: 'abc123' }, ['abc123'], { token: REDACTED }],
    ['inside a longer string', { url: 'https://user:abc123@host' }, ['abc123'], { url: `https://user:${REDACTED}@host` }],
    ['a number that is a secret', { port: 5432 }, ['5432'], { port: REDACTED }],
    ['in keys and arrays', { abc123: ['x abc123'] }, ['abc123'], { [REDACTED]: [`x ${REDACTED}`] }],
    ['the longer of two overlapping secrets', { v: 'abcdef' }, ['abc', 'abcdef'], { v: REDACTED }],
    ['nothing for an empty secret', { v: 'text' }, [''], { v: 'text' }],
    ['nothing without secrets', { v: 'text', n: 1, b: true, z: null }, [], { v: 'text', n: 1, b: true, z: null }],
  ])('redacts %s', (_name, value, secrets, expected) => {
    expect(new Redactor(secrets).redactValue(value)).toEqual(expected);
  });

  it('adds every field of a secret value, and leaves the original alone', () => {
    const redactor = new Redactor();
    redactor.addValue({ user: 'deployer', password: 'hunter22', port: 2222 });
    const config = { token: 'hunter22', u: 'deployer', p: 2222 };
    expect(redactor.redactValue(config)).toEqual({ token: REDACTED, u: REDACTED, p: REDACTED });
    expect(config.token).toBe('hunter22');
  });
});

describe('configForReaders', () => {
  it('hides webhook tokens and shows everything else, static var values included', () => {
    const config = { resources: [{ name: 'repo', webhook_token: 'hook-token', source: { branch: 'pr-123', password: '((db_password))' } }] };
    expect(configForReaders(config)).toEqual({
      resources: [{ name: 'repo', webhook_token: REDACTED, source: { branch: 'pr-123', password: '((db_password))' } }],
    });
  });
});
