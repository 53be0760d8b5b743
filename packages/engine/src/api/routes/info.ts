import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';

// src/api/routes and dist/api/routes are both three levels below the package.
const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

export function registerInfoRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get('/info', async () => ({ version, external_url: context.externalUrl() }));
}
