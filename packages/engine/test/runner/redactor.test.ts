import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/runner/redactor.js';

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
