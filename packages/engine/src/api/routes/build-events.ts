import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../api-context.js';
import { END_MESSAGE, EVENT_STREAM_HEADERS, eventMessage, writeInTurn } from '../event-stream.js';
import { findBuild } from '../lookups.js';
import { BuildParams, limit, strictQuery } from '../route-schemas.js';
import { eventJson } from '../views.js';

const EventsQuery = strictQuery({
  from: Type.Optional(Type.Integer({ minimum: 0, description: 'send events after this sequence number' })),
  format: Type.Optional(Type.Literal('json', { description: 'answer one page of events as JSON instead of a stream' })),
  // Large pages let a browser load a long log in a few requests instead of a message per line.
  limit: limit(1000, 10_000),
});

/** EventSource sends the last id it saw when it reconnects; it wins over the URL's `from`. */
const EventsHeaders = Type.Object({ 'last-event-id': Type.Optional(Type.Integer({ minimum: 0 })) });

export function registerBuildEventRoutes(app: FastifyInstance, context: ApiContext): void {
  const { engine } = context;
  app.get<{ Params: BuildParams; Querystring: Static<typeof EventsQuery>; Headers: Static<typeof EventsHeaders> }>(
    '/builds/:id/events',
    // A HEAD request would otherwise hold a stream open with nothing to send it to.
    { schema: { params: BuildParams, querystring: EventsQuery, headers: EventsHeaders }, exposeHeadRoute: false },
    async (request, reply) => {
      const build = findBuild(engine, request.params.id);
      const after = request.headers['last-event-id'] ?? request.query.from ?? 0;
      if (request.query.format === 'json') return engine.events.list(build.id, after, request.query.limit).map(eventJson);
      reply.hijack();
      await streamEvents(context, request, reply, build.id, after);
      return reply;
    },
  );
}

async function streamEvents(context: ApiContext, request: FastifyRequest, reply: FastifyReply, buildId: number, after: number): Promise<void> {
  const response = reply.raw;
  const clientGone = new AbortController();
  const onClose = () => clientGone.abort();
  response.once('close', onClose);
  const signal = AbortSignal.any([clientGone.signal, context.shutdown]);
  response.writeHead(200, EVENT_STREAM_HEADERS);
  response.flushHeaders();
  try {
    // One write per batch: a build printing a million lines is a few hundred writes.
    for await (const batch of context.engine.events.followBatches(buildId, after, signal)) {
      await writeInTurn(response, batch.map(eventMessage).join(''), signal);
      if (signal.aborted) break;
    }
    // `follow` also returns when the signal aborts; only a build that ended gets `end`.
    if (!signal.aborted) await writeInTurn(response, END_MESSAGE, signal);
  } catch (error) {
    request.log.warn({ err: error, buildId }, 'build event stream failed');
  } finally {
    response.off('close', onClose);
    response.end();
  }
}
