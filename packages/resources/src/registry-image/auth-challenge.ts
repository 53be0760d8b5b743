/** One challenge of a `WWW-Authenticate` header: `Bearer realm="...",service="..."`. */
export interface AuthChallenge {
  /** Lowercased: `basic`, `bearer`. */
  scheme: string;
  /** Parameter names lowercased, values unquoted. */
  params: Record<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
// token68 (RFC 7235) may also carry '/' and trailing '='.
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

/**
 * Parses a `WWW-Authenticate` value (RFC 7235), which may hold several challenges separated
 * by commas, the same separator as between one challenge's parameters. A name followed by `=`
 * continues the current challenge; a bare name starts the next one.
 */
export function parseAuthChallenges(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let pos = 0;

  const skip = (chars: string): void => {
    while (pos < header.length && chars.includes(header[pos] as string)) pos++;
  };
  const readToken = (): string => {
    const start = pos;
    while (pos < header.length && TOKEN_CHAR.test(header[pos] as string)) pos++;
    return header.slice(start, pos);
  };
  const readQuoted = (): string => {
    pos++; // opening quote
    let value = '';
    while (pos < header.length && header[pos] !== '"') {
      if (header[pos] === '\\' && pos + 1 < header.length) pos++;
      value += header[pos];
      pos++;
    }
    pos++; // closing quote, or past the end of an unterminated string
    return value;
  };
  /** At a parameter when the next token is followed by `=` (and is not token68 padding). */
  const atParameter = (): boolean => {
    const save = pos;
    const name = readToken();
    skip(' \t');
    const result = name !== '' && header[pos] === '=';
    pos = save;
    return result;
  };

  while (pos < header.length) {
    skip(' \t,');
    const scheme = readToken();
    if (scheme === '') {
      pos++; // not a challenge: step over the stray character
      continue;
    }
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    skip(' \t');
    if (pos < header.length && header[pos] !== ',' && !atParameter()) {
      const start = pos;
      while (pos < header.length && TOKEN68_CHAR.test(header[pos] as string)) pos++;
      skip('=');
      challenge.params[''] = header.slice(start, pos);
      continue;
    }
    for (;;) {
      const save = pos;
      skip(' \t,');
      if (pos >= header.length || !atParameter()) {
        pos = save;
        break;
      }
      const name = readToken().toLowerCase();
      skip(' \t');
      pos++; // '='
      skip(' \t');
      challenge.params[name] = header[pos] === '"' ? readQuoted() : readToken();
    }
  }
  return challenges;
}
