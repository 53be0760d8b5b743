import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Engine } from '../engine.js';
import { WeirError } from '../errors.js';
import { AnswerCache } from './answer-cache.js';
import { RequestGate } from './request-gate.js';
import type { ApiContext } from './api-context.js';
import { prepareShutdown } from './api-shutdown.js';
import { bearerAuth } from './bearer-auth.js';
import { registerWebUi, type WebUiRoutes } from './web-ui.js';
import { errorReply } from './error-reply.js';
import { hostCheck } from './host-check.js';
import { InterceptSessions } from './intercept-sessions.js';
import { requestValidatorCompiler } from './request-validation.js';
import { registerBuildEventRoutes } from './routes/build-events.js';
import { registerBuildRoutes } from './routes/builds.js';
import { registerContainerRoutes } from './routes/containers.js';
import { registerDashboardRoutes } from './routes/dashboard.js';
import { registerInfoRoutes } from './routes/info.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerPipelineRoutes } from './routes/pipelines.js';
import { registerResourceRoutes } from './routes/resources.js';
import { registerSecretRoutes } from './routes/secrets.js';
import { registerSessionRoutes } from './routes/session.js';
import { registerWebhookRoutes } from './routes/webhooks.js';

export interface ApiServerOptions {
  engine: Engine;
  /** The bearer token mutations need (see `ensureApiToken`). */
  token: string;
  /** Default 127.0.0.1: the API changes pipelines, so it is not on the network unless asked. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Where users reach the API, if not at the address it listens on (behind a proxy). */
  externalUrl?: string;
  /** The web UI's built files, served at `/`; without it only the API is served. */
  webRoot?: string;
}

export interface ApiServer {
  /** The address the server listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Stops taking requests, ends open event streams, and waits for answers in flight. */
  close(): Promise<void>;
}

const API_PREFIX = '/api/v1';

/** Pipeline configs can be long; a generated one well past fastify's 1 MiB default is normal. */
const BODY_LIMIT_BYTES = 16 * 1024 * 1024;

/** Serves docs/api.md for an engine. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  let url = '';
  const app = createApiApp(options.engine);
  const gate = new RequestGate();
  app.server.on('connection', () => gate.connectionAccepted());
  app.addHook('onRequest', () => gate.turn());
  app.addHook('onRequest', hostCheck({ listenHost: host, externalUrl: () => options.externalUrl }));
  const webUi = options.webRoot === undefined ? undefined : await registerWebUi(app, options.webRoot, API_PREFIX);
  setNotFoundHandler(app, webUi);
  const shutdown = prepareShutdown(app);
  const answers = new AnswerCache(() => options.engine.store.totalChanges());
  await registerApi(app, { engine: options.engine, externalUrl: () => options.externalUrl ?? url, shutdown: shutdown.signal, answers }, options.token);
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close();
    throw new WeirError('api-listen-failed', `cannot serve the API on ${host}:${port}: ${(error as Error).message}`, {
      location: `${host}:${port}`,
      hint: (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'another program uses that port; choose another with --port' : 'check the host and port',
      cause: error,
    });
  }
  const address = app.server.address() as AddressInfo;
  url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  options.engine.logger.info({ url }, 'API listening');
  return { url, close: () => shutdown.close() };
}

/** Fastify set up to answer every error in weir's shape. */
function createApiApp(engine: Engine): FastifyInstance {
  const logger: FastifyBaseLogger = engine.logger.child({ component: 'api' });
  const app = Fastify({
    loggerInstance: logger,
    // One line per request at info would drown the engine's own log; answers are logged at debug.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
  });
  app.setValidatorCompiler(requestValidatorCompiler());
  acceptEmptyJsonBodies(app);

  app.setErrorHandler((error, request, reply) => {
    const { status, body, internal } = errorReply(error);
    if (internal) request.log.error({ err: error, method: request.method, url: request.url }, 'API request failed');
    else if (status === 507) request.log.warn({ method: request.method, url: request.url }, 'the disk is full: a change could not be saved');
    void reply.code(status).send(body);
  });
  return app;
}

function setNotFoundHandler(app: FastifyInstance, webUi: WebUiRoutes | undefined): void {
  app.setNotFoundHandler((request, reply) => {
    if (webUi?.fallback(request, reply)) return;
    void reply.code(404).send(
      errorReply(
        new WeirError('route-not-found', `there is no route ${request.method} ${request.url.split('?')[0]}`, {
          hint: `the API is under ${API_PREFIX}; see docs/api.md for its routes`,
        }),
      ).body,
    );
  });
}

async function registerApi(app: FastifyInstance, context: ApiContext, token: string): Promise<void> {
  // Loaded before the auth hook, which reads the web UI's session cookie.
  await app.register(fastifyCookie);
  app.addHook('onRequest', bearerAuth(token, context.engine.dataDir));
  app.addHook('preValidation', async (request) => {
    // A body-less POST means "no options": the route's schema then says what, if anything, is missing.
    if (request.body === undefined && request.routeOptions.schema?.body) request.body = {};
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, 'answered');
  });

  const sessions = new InterceptSessions(context.engine, API_PREFIX, context.shutdown);
  sessions.attach(app.server);
  void app.register(
    async (api) => {
      for (const register of [
        registerInfoRoutes,
        registerPipelineRoutes,
        registerDashboardRoutes,
        registerJobRoutes,
        registerBuildRoutes,
        registerBuildEventRoutes,
        registerResourceRoutes,
        registerWebhookRoutes,
        registerSecretRoutes,
      ]) {
        register(api, context);
      }
      registerSessionRoutes(api, token);
      registerContainerRoutes(api, context, sessions);
    },
    { prefix: API_PREFIX },
  );
}

/** Clients that set `content-type: application/json` on every request send it on empty POSTs too. */
function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text === '') done(null, undefined);
    else parseJson(request, text, done);
  });
}
