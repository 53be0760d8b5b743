import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { WeirError } from '../../errors.js';
import { describeSlot } from '../../secrets/builtin-secrets.js';
import type { SecretSlot } from '../../store/secret-store.js';
import type { ApiContext } from '../api-context.js';
import { strictQuery } from '../route-schemas.js';

const ScopeQuery = strictQuery({
  team: Type.Optional(Type.String({ minLength: 1, default: 'main', description: 'the team whose secret it is' })),
  pipeline: Type.Optional(Type.String({ minLength: 1, description: 'only this pipeline sees the secret (it wins over the team\'s of the same name)' })),
});
type ScopeQuery = Static<typeof ScopeQuery>;

const SecretParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });
type SecretParams = Static<typeof SecretParams>;

const SetBody = Type.Object(
  { value: Type.Unknown({ description: 'a string, or a mapping whose fields ((name.field)) reads' }) },
  { additionalProperties: false },
);

/** Every route here needs the token, reads included: they deal in secrets. */
const SECRET_ROUTE = { config: { tokenForReads: true } };

/** weir's own secret store: values go in and, for the token's holder only, out; listings name, never show. */
export function registerSecretRoutes(app: FastifyInstance, { engine }: ApiContext): void {
  const { builtin } = engine.secrets;
  const slotOf = (query: ScopeQuery, name: string): SecretSlot => ({ team: query.team ?? 'main', pipeline: query.pipeline ?? '', name });

  app.get<{ Querystring: ScopeQuery }>('/secrets', { ...SECRET_ROUTE, schema: { querystring: ScopeQuery } }, async (request) =>
    builtin.list(request.query.team ?? 'main', request.query.pipeline).map((secret) => ({
      team: secret.team,
      pipeline: secret.pipeline === '' ? null : secret.pipeline,
      name: secret.name,
      updated_at: new Date(secret.updatedAt).toISOString(),
    })),
  );

  app.get<{ Params: SecretParams; Querystring: ScopeQuery }>(
    '/secrets/:name',
    { ...SECRET_ROUTE, schema: { params: SecretParams, querystring: ScopeQuery } },
    async (request) => {
      const slot = slotOf(request.query, request.params.name);
      const value = builtin.get(slot);
      if (value === undefined) {
        throw new WeirError('secret-not-found', `no secret ${describeSlot(slot)}`, {
          location: describeSlot(slot),
          hint: slot.pipeline === '' ? 'list secrets with `weir secrets list`; a pipeline\'s own secrets need -p PIPELINE' : 'list them with `weir secrets list -p PIPELINE`',
        });
      }
      return { name: slot.name, team: slot.team, pipeline: slot.pipeline === '' ? null : slot.pipeline, value };
    },
  );

  app.put<{ Params: SecretParams; Querystring: ScopeQuery; Body: Static<typeof SetBody> }>(
    '/secrets/:name',
    { ...SECRET_ROUTE, schema: { params: SecretParams, querystring: ScopeQuery, body: SetBody } },
    async (request) => {
      const slot = slotOf(request.query, request.params.name);
      if (request.body.value === undefined || request.body.value === null) {
        throw new WeirError('secret-value-missing', 'the body has no value', { hint: 'send {"value": "..."}' });
      }
      builtin.set(slot, request.body.value);
      return { name: slot.name, team: slot.team, pipeline: slot.pipeline === '' ? null : slot.pipeline };
    },
  );

  app.delete<{ Params: SecretParams; Querystring: ScopeQuery }>(
    '/secrets/:name',
    { ...SECRET_ROUTE, schema: { params: SecretParams, querystring: ScopeQuery } },
    async (request, reply) => {
      const slot = slotOf(request.query, request.params.name);
      if (!builtin.remove(slot)) throw new WeirError('secret-not-found', `no secret ${describeSlot(slot)}`, { location: describeSlot(slot), hint: 'list secrets with `weir secrets list`' });
      return reply.code(204).send();
    },
  );

  app.post('/secrets/rotate-key', SECRET_ROUTE, async () => ({ resealed: builtin.rotateKey() }));
}
