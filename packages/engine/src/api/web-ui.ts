import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WeirError } from '../errors.js';

/**
 * The page may load only its own scripts, styles and data: a name or a log line that slipped
 * through as markup could not run a script or send anything elsewhere.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
} as const;

export interface WebUiRoutes {
  /** Answers a GET that no route took: the app's page for its own paths, or undefined for API paths. */
  fallback(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined;
}

/**
 * Serves the web UI's built files (packages/web/dist) at `/`. Paths the app routes itself
 * (`/pipelines/x`, `/builds/12`) get its index.html; hashed assets are cached for good.
 */
export async function registerWebUi(app: FastifyInstance, webRoot: string, apiPrefix: string): Promise<WebUiRoutes> {
  const built = existsSync(join(webRoot, 'index.html'));
  app.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith(apiPrefix)) void reply.headers(SECURITY_HEADERS);
    else void reply.header('x-content-type-options', 'nosniff');
  });
  if (built) {
    await app.register(fastifyStatic, {
      root: webRoot,
      prefix: '/',
      index: false,
      wildcard: false,
      preCompressed: true,
      cacheControl: false,
      setHeaders: (response, path) => {
        response.setHeader('cache-control', path.includes(`${join(webRoot, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  return {
    fallback(request, reply) {
      if (request.url.startsWith(apiPrefix) || (request.method !== 'GET' && request.method !== 'HEAD')) return undefined;
      if (!built) {
        throw new WeirError('web-ui-not-built', `the web UI has not been built into ${webRoot}`, {
          hint: 'run `pnpm install` in the weir checkout (it builds packages/web), then restart weir up; the API is under /api/v1',
        });
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    },
  };
}
