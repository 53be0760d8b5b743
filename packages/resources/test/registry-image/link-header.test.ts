import { describe, expect, it } from 'vitest';
import { nextLink } from '../../src/registry-image/link-header.js';

describe('nextLink', () => {
  it.each([
    ['distribution', '</v2/app/tags/list?last=b&n=2>; rel="next"', '/v2/app/tags/list?last=b&n=2'],
    ['unquoted rel', '<https://r.example/v2/app/tags/list?last=b>; rel=next', 'https://r.example/v2/app/tags/list?last=b'],
    ['several links', '</first>; rel="first", </v2/x?last=c>; rel="next"', '/v2/x?last=c'],
    ['several rel values', '</v2/x?last=d>; rel="last next"', '/v2/x?last=d'],
    ['other parameters first', '</v2/x?last=e>; type="application/json"; rel="next"', '/v2/x?last=e'],
    ['no next', '</v2/x>; rel="prev"', undefined],
    ['no header', undefined, undefined],
  ])('%s', (_name, header, expected) => {
    expect(nextLink(header)).toBe(expected);
  });
});
