import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WeirError } from '../../errors.js';
import { csrfToken, fromSameOrigin, sameSecret, SESSION_COOKIE, sessionCookieValue } from '../web-session.js';

const LoginBody = Type.Object({ token: Type.String({ minLength: 1, description: 'the engine\'s API token' }) }, { additionalProperties: false });

/** The web UI's login and logout; see web-session.ts. */
export function registerSessionRoutes(app: FastifyInstance, token: string): void {
  const session = sessionCookieValue(token);
  const loggedIn = (request: FastifyRequest) => sameSecret(request.cookies[SESSION_COOKIE], session);
  const answer = (isLoggedIn: boolean) => (isLoggedIn ? { logged_in: true, csrf_token: csrfToken(token) } : { logged_in: false });

  app.get('/session', async (request) => answer(loggedIn(request)));

  app.post<{ Body: Static<typeof LoginBody> }>('/session', { schema: { body: LoginBody }, config: { ownAuth: true } }, async (request, reply) => {
    // A login form posted from another site would log the victim in as someone else's engine.
    if (!fromSameOrigin(request)) throw new WeirError('csrf-token-invalid', 'a login must come from a page of this server', { hint: 'open the web UI from this server and log in there' });
    if (!sameSecret(request.body.token.trim(), token)) {
      throw new WeirError('unauthorized', 'that is not this engine\'s API token', { hint: 'copy the token from <data dir>/token on the machine weir runs on' });
    }
    setSessionCookie(reply, session, request);
    return answer(true);
  });

  app.delete('/session', { config: { ownAuth: true } }, async (request, reply) => {
    void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: isHttps(request) });
    return answer(false);
  });
}

function setSessionCookie(reply: FastifyReply, value: string, request: FastifyRequest): void {
  void reply.setCookie(SESSION_COOKIE, value, { path: '/', httpOnly: true, sameSite: 'strict', secure: isHttps(request), maxAge: 30 * 24 * 3600 });
}

/** Behind a TLS proxy the cookie must only travel encrypted. */
function isHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
}
