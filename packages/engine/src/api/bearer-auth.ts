import { createHash, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { WeirError } from '../errors.js';
import { API_TOKEN_FILE } from './api-token.js';
import { CSRF_HEADER, csrfToken, fromSameOrigin, sameSecret, SESSION_COOKIE, sessionCookieValue } from './web-session.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route authenticates its callers itself (a webhook token), not with the bearer token. */
    ownAuth?: boolean;
    /** Even reads need the token: they answer with secrets or their names. */
    tokenForReads?: boolean;
  }
}

/** Methods that change nothing: open to anyone who can reach the API. */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * An `onRequest` hook: every method but reads needs `Authorization: Bearer <token>`, or the web
 * UI's session cookie together with its CSRF token, sent from a page of this server.
 */
export function bearerAuth(token: string, dataDir: string): (request: FastifyRequest) => Promise<void> {
  const expected = digest(token);
  const session = sessionCookieValue(token);
  const csrf = csrfToken(token);
  const where = dataDir === ':memory:' ? 'the token the server was started with' : `the token in ${join(dataDir, API_TOKEN_FILE)}`;
  return async (request) => {
    const { ownAuth, tokenForReads } = request.routeOptions.config;
    if ((READ_METHODS.has(request.method) && !tokenForReads) || ownAuth) return;
    const given = bearerToken(request.headers.authorization);
    if (given === undefined && sameSecret(request.cookies[SESSION_COOKIE], session)) {
      const header = request.headers[CSRF_HEADER];
      if (sameSecret(typeof header === 'string' ? header : undefined, csrf) && fromSameOrigin(request)) return;
      throw new WeirError('csrf-token-invalid', 'this request carries the web session cookie but not the page\'s CSRF token, or comes from another site', {
        hint: 'reload the web UI and try again; scripts should send "Authorization: Bearer <token>" instead',
      });
    }
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
