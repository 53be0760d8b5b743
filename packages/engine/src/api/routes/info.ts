import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';

// By package name, not by a path from this file: the CLI's bundle moves this code elsewhere.
const { version } = createRequire(import.meta.url)('@weir/engine/package.json') as { version: string };

export function registerInfoRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get('/info', async () => ({ version, external_url: context.externalUrl() }));
}
