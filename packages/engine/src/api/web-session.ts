import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/**
 * The web UI's login: the engine's token, entered once, is exchanged for an HttpOnly,
 * SameSite=Strict cookie that scripts cannot read. The cookie and the CSRF token are both
 * derived from the API token, so they need no server state, survive restarts, and change
 * when the token does.
 */
export const SESSION_COOKIE = 'weir_session';

/** The header that carries the CSRF token on every state-changing request the UI sends. */
export const CSRF_HEADER = 'x-weir-csrf';

export function sessionCookieValue(token: string): string {
  return derive(token, 'weir web session');
}

/** Given only to a logged-in page (a cross-site page cannot read it), and echoed back in CSRF_HEADER. */
export function csrfToken(token: string): string {
  return derive(token, 'weir web csrf');
}

export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether a browser request comes from a page of this server: an `Origin` header, when the
 * browser sends one, must name the host the request was sent to.
 */
export function fromSameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function derive(token: string, purpose: string): string {
  return createHmac('sha256', token).update(purpose).digest('base64url');
}
