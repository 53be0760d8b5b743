import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { MAX_TERMINAL_SIDE } from '../../executors/sandbox/intercept-process.js';
import type { TaskContainer } from '../../executors/sandbox/task-containers.js';
import type { ApiContext } from '../api-context.js';
import { requireContainer, type InterceptSessions } from '../intercept-sessions.js';
import { findBuild } from '../lookups.js';
import { BuildParams, strictQuery } from '../route-schemas.js';

const ContainersQuery = strictQuery({
  build_id: Type.Optional(Type.Integer({ minimum: 1, description: 'only this build\'s containers' })),
  job_id: Type.Optional(Type.Integer({ minimum: 1, description: 'only the containers of this job\'s builds' })),
});

const ContainerParams = Type.Intersect([BuildParams, Type.Object({ name: Type.String({ minLength: 1, maxLength: 300, description: 'the container\'s name, as GET /containers lists it' }) })]);

const InterceptBody = Type.Object(
  {
    argv: Type.Array(Type.String({ maxLength: 64 * 1024 }), { minItems: 1, maxItems: 1000, description: 'the program and its arguments, run in the container' }),
    tty: Type.Optional(
      Type.Object(
        {
          rows: Type.Integer({ minimum: 1, maximum: MAX_TERMINAL_SIDE }),
          cols: Type.Integer({ minimum: 1, maximum: MAX_TERMINAL_SIDE }),
          term: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._+-]{1,64}$', description: 'TERM inside; default xterm' })),
        },
        { additionalProperties: false, description: 'give the program a terminal of this size' },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Intercepting runs code as the task does, and the listing shows what ran: both need the token. */
const WITH_TOKEN = { config: { tokenForReads: true } };

export function registerContainerRoutes(app: FastifyInstance, { engine }: ApiContext, sessions: InterceptSessions): void {
  app.get<{ Querystring: Static<typeof ContainersQuery> }>('/containers', { schema: { querystring: ContainersQuery }, ...WITH_TOKEN }, async (request) => {
    const { build_id: buildId, job_id: jobId } = request.query;
    const jobOf = new Map<number, number | null>();
    const inJob = (container: TaskContainer): boolean => {
      const id = container.owner.buildId;
      if (!jobOf.has(id)) jobOf.set(id, engine.store.builds.byId(id)?.jobId ?? null);
      return jobOf.get(id) === jobId;
    };
    return engine.containers
      .list()
      .filter((container) => (buildId === undefined || container.owner.buildId === buildId) && (jobId === undefined || inJob(container)))
      .map((container) => containerJson(container));
  });

  app.post<{ Params: Static<typeof ContainerParams>; Body: Static<typeof InterceptBody> }>(
    '/builds/:id/containers/:name/intercept',
    { schema: { params: ContainerParams, body: InterceptBody } },
    async (request, reply) => {
      const build = findBuild(engine, request.params.id);
      const container = requireContainer(engine, build.id, request.params.name);
      const { argv, tty } = request.body;
      const ticket = sessions.grant(container, { argv: argv as [string, ...string[]], ...(tty && { tty }) });
      return reply.code(201).send({ session: ticket, path: sessions.pathFor(ticket) });
    },
  );
}

function containerJson(container: TaskContainer) {
  const { owner } = container;
  return {
    build_id: owner.buildId,
    build_name: owner.buildName,
    team: owner.team,
    pipeline: owner.pipeline ?? null,
    job: owner.job ?? null,
    step: owner.step,
    name: container.name,
    state: container.sandbox !== undefined ? 'running' : 'exited',
    kept_until: container.keptUntil === undefined ? null : new Date(container.keptUntil).toISOString(),
  };
}
