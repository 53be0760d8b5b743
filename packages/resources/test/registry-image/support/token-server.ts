import { createHash, createPrivateKey, createPublicKey, randomUUID, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenServerOptions {
  service: string;
  issuer: string;
  keyPem: string;
  certPem: string;
  users: Record<string, string>;
  /** Seconds a token lives. */
  expiresIn: number;
}

export interface TokenRequest {
  user: string | undefined;
  scopes: string[];
}

export interface TokenServer {
  realm: string;
  /** Every token handed out, in order. */
  requests: TokenRequest[];
  stop(): Promise<void>;
}

/**
 * A distribution token service (the docker "token auth" spec): checks basic credentials, grants
 * signed-in users every action they ask for and anonymous callers pull on `public/*`, and signs
 * RS256 JWTs the registry verifies against the certificate in its `rootcertbundle`.
 */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const key = createPrivateKey(options.keyPem);
  const kid = libtrustKeyId(options.certPem);
  const requests: TokenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let user: string | undefined;
    const authorization = req.headers.authorization;
    if (authorization?.startsWith('Basic ')) {
      const [name, password] = Buffer.from(authorization.slice(6), 'base64').toString().split(':');
      if (name === undefined || options.users[name] !== password) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ details: 'incorrect username or password' }));
        return;
      }
      user = name;
    }
    const scopes = url.searchParams.getAll('scope');
    requests.push({ user, scopes });
    const access = scopes.flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      if (type !== 'repository' || name === undefined || actions === undefined) return [];
      const granted = user !== undefined ? actions.split(',') : name.startsWith('public/') ? actions.split(',').filter((action) => action === 'pull') : [];
      return [{ type, name, actions: granted }];
    });
    const now = Math.floor(Date.now() / 1000);
    const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'RS256', typ: 'JWT', kid })}.${encode({
      iss: options.issuer,
      sub: user ?? '',
      aud: options.service,
      exp: now + options.expiresIn,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    })}`;
    const token = `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url')}`;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: options.expiresIn, issued_at: new Date(now * 1000).toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * The key id the registry (libtrust) derives from a public key: the SHA-256 of its DER
 * SubjectPublicKeyInfo, truncated to 240 bits, base32, in groups of four joined by colons.
 */
function libtrustKeyId(certPem: string): string {
  const der = createPublicKey(certPem).export({ type: 'spki', format: 'der' });
  const digest = createHash('sha256').update(der).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const byte of digest) bits += byte.toString(2).padStart(8, '0');
  let base32 = '';
  for (let i = 0; i < bits.length; i += 5) base32 += alphabet[parseInt(bits.slice(i, i + 5), 2)];
  return base32.match(/.{4}/g)?.join(':') ?? base32;
}
