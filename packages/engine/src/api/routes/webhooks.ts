import { createHmac, timingSafeEqual } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WeirError } from '../../errors.js';
import type { ApiContext } from '../api-context.js';
import { DeliveryLog } from '../delivery-log.js';
import type { ErrorBody } from '../error-reply.js';
import { findPipeline } from '../lookups.js';
import { instanceVarsQuery, ResourceParams, strictQuery } from '../route-schemas.js';

const WebhookQuery = strictQuery({ ...instanceVarsQuery, webhook_token: Type.String() });
type WebhookRequest = FastifyRequest<{ Params: ResourceParams; Querystring: Static<typeof WebhookQuery> }>;

/**
 * GitHub sends payloads up to 25 MB; the signature covers every byte, so all of it is read, but
 * only once the URL's webhook_token has been accepted: a caller without it gets its answer
 * before a byte of the body is read.
 */
const GITHUB_PAYLOAD_LIMIT = 25 * 1024 * 1024;

/** GitHub events that can mean new versions; others (ping, issues, ...) are acknowledged and dropped. */
const CHECKING_GITHUB_EVENTS = new Set(['push', 'pull_request']);

/** GitHub's redelivery and a replayed capture reuse X-GitHub-Delivery; within this window they check once. */
const DELIVERY_WINDOW_MS = 60 * 60 * 1000;
const DELIVERIES_KEPT = 10_000;

export function registerWebhookRoutes(app: FastifyInstance, { engine }: ApiContext): void {
  const deliveries = new DeliveryLog(DELIVERY_WINDOW_MS, DELIVERIES_KEPT);

  void app.register(async (scope) => {
    // A webhook's payload (a push, a PR, in whatever encoding the service chose) only says
    // "check now"; it is never parsed, but kept as raw bytes because GitHub signs them.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: GITHUB_PAYLOAD_LIMIT }, (_request, body, done) => done(null, body));

    scope.post<{ Params: ResourceParams; Querystring: Static<typeof WebhookQuery> }>(
      '/pipelines/:pipeline/resources/:resource/check/webhook',
      {
        schema: { params: ResourceParams, querystring: WebhookQuery },
        // Services that send webhooks cannot hold weir's bearer token; the resource's own token stands in.
        config: { ownAuth: true },
        bodyLimit: GITHUB_PAYLOAD_LIMIT,
        onRequest: async (request, reply) => {
          if (typeof request.query.webhook_token !== 'string') {
            throw new WeirError('request-invalid', 'the webhook URL has no webhook_token query parameter', {
              hint: 'end the URL with ?webhook_token= and the webhook_token set on the resource in the pipeline',
            });
          }
          if (acceptedPipelineId(request) !== undefined) return;
          void reply.header('connection', 'close');
          return refuse(request, reply);
        },
      },
      async (request, reply) => {
        const { resource } = request.params;
        const pipelineId = acceptedPipelineId(request);
        if (pipelineId === undefined) return refuse(request, reply);
        const githubEvent = request.headers['x-github-event'];
        if (typeof githubEvent === 'string') {
          // GitHub signs the payload with the resource's webhook_token as the secret: an
          // unsigned or tampered delivery checks nothing.
          const secret = engine.store.resources.get(pipelineId, resource)?.config.webhook_token;
          const signature = request.headers['x-hub-signature-256'];
          const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
          if (typeof secret !== 'string' || typeof signature !== 'string' || !githubSignatureMatches(body, secret, signature)) {
            return reply.code(401).send(signatureInvalid(githubEvent, resource));
          }
          const delivery = request.headers['x-github-delivery'];
          if (typeof delivery === 'string' && deliveries.repeated(`${pipelineId}/${resource}/${delivery}`)) {
            return { checked: false, duplicate: true };
          }
          if (!CHECKING_GITHUB_EVENTS.has(githubEvent)) return { checked: false };
        }
        await engine.checker.checkByWebhook(pipelineId, resource, request.query.webhook_token);
        return { checked: true };
      },
    );
  });

  /** The pipeline whose resource takes the URL's webhook_token, if any. */
  function acceptedPipelineId(request: WebhookRequest): number | undefined {
    const token = request.query.webhook_token;
    if (typeof token !== 'string') return undefined;
    let pipelineId: number;
    try {
      pipelineId = findPipeline(engine, request.params.pipeline, request.query.instance_vars).id;
    } catch (error) {
      if (error instanceof WeirError && error.code === 'pipeline-not-found') return undefined;
      throw error;
    }
    return engine.checker.webhookTarget(pipelineId, request.params.resource, token) ? pipelineId : undefined;
  }
}

/**
 * The answer for a token no resource takes, the same whatever exists: a GitHub delivery is told
 * its signature is not valid (GitHub shows that to whoever set the hook up), anything else that
 * no resource accepts the token.
 */
function refuse(request: WebhookRequest, reply: FastifyReply): FastifyReply {
  const githubEvent = request.headers['x-github-event'];
  if (typeof githubEvent === 'string') return reply.code(401).send(signatureInvalid(githubEvent, request.params.resource));
  throw new WeirError('webhook-token-invalid', `no resource ${request.params.resource} accepts this webhook token`, {
    location: request.params.resource,
    hint: 'use the webhook_token set on the resource in the pipeline',
  });
}

function signatureInvalid(githubEvent: string, resource: string): ErrorBody {
  return {
    error: {
      code: 'webhook-signature-invalid',
      message: `the ${githubEvent} delivery for ${resource} has no valid X-Hub-Signature-256`,
      hint: "set the GitHub webhook's secret to the resource's webhook_token",
    },
  };
}

/** Whether `header` is `sha256=` and the HMAC-SHA256 of `body` under `secret`, compared in constant time. */
export function githubSignatureMatches(body: Buffer, secret: string, header: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
