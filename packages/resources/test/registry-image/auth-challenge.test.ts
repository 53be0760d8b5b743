import { describe, expect, it } from 'vitest';
import { parseAuthChallenges } from '../../src/registry-image/auth-challenge.js';

describe('parseAuthChallenges', () => {
  it.each([
    [
      'Docker Hub',
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' } }],
    ],
    ['basic with a realm', 'Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    ['a comma inside a quoted scope', 'Bearer realm="r",scope="repository:a:pull,push"', [{ scheme: 'bearer', params: { realm: 'r', scope: 'repository:a:pull,push' } }]],
    [
      'spaces around separators and an error',
      'Bearer  realm = "https://t.example/token" , service=reg , error="insufficient_scope"',
      [{ scheme: 'bearer', params: { realm: 'https://t.example/token', service: 'reg', error: 'insufficient_scope' } }],
    ],
    ['escaped quotes', 'Basic realm="say \\"hi\\""', [{ scheme: 'basic', params: { realm: 'say "hi"' } }]],
    [
      'two challenges in one header',
      'Basic realm="b", Bearer realm="https://t/token",service="s"',
      [
        { scheme: 'basic', params: { realm: 'b' } },
        { scheme: 'bearer', params: { realm: 'https://t/token', service: 's' } },
      ],
    ],
    ['a scheme without parameters before another', 'Negotiate, Basic realm="x"', [{ scheme: 'negotiate', params: {} }, { scheme: 'basic', params: { realm: 'x' } }]],
    ['token68', 'Negotiate YIIB/x+=', [{ scheme: 'negotiate', params: { '': 'YIIB/x+=' } }]],
    ['parameter names are case-insensitive', 'BEARER Realm="r",SERVICE="s"', [{ scheme: 'bearer', params: { realm: 'r', service: 's' } }]],
    ['empty', '', []],
  ])('%s', (_name, header, expected) => {
    expect(parseAuthChallenges(header)).toEqual(expected);
  });
});
