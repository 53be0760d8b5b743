import { createHash, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { WeirError } from '../errors.js';
import { API_TOKEN_FILE } from './api-token.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route authenticates its callers itself (a webhook token), not with the bearer token. */
    ownAuth?: boolean;
  }
}

/** Methods that change nothing: open to anyone who can reach the API. */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** An `onRequest` hook: every method but reads needs `Authorization: Bearer <token>`. */
export function bearerAuth(token: string, dataDir: string): (request: FastifyRequest) => Promise<void> {
  const expected = digest(token);
  const where = dataDir === ':memory:' ? 'the token the server was started with' : `the token in ${join(dataDir, API_TOKEN_FILE)}`;
  return async (request) => {
    if (READ_METHODS.has(request.method) || request.routeOptions.config.ownAuth) return;
    const given = bearerToken(request.headers.authorization);
    // Digests have equal lengths, so the comparison takes the same time whatever was sent.
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      throw new WeirError('unauthorized', given === undefined ? 'this request needs a bearer token' : 'the bearer token is wrong', {
        hint: `send "Authorization: Bearer <token>" with ${where}; the CLI reads it from there, or from WEIR_TOKEN`,
      });
    }
  };
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer +(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
