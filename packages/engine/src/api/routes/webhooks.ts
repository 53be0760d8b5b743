import { createHmac, timingSafeEqual } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { WeirError } from '../../errors.js';
import type { ApiContext } from '../api-context.js';
import type { ErrorBody } from '../error-reply.js';
import { findPipeline } from '../lookups.js';
import { instanceVarsQuery, ResourceParams, strictQuery } from '../route-schemas.js';

const WebhookQuery = strictQuery({ ...instanceVarsQuery, webhook_token: Type.String() });

/** GitHub sends payloads up to 25 MB; the signature covers every byte, so all of it is read. */
const GITHUB_PAYLOAD_LIMIT = 25 * 1024 * 1024;

/** GitHub events that can mean new versions; others (ping, issues, ...) are acknowledged and dropped. */
const CHECKING_GITHUB_EVENTS = new Set(['push', 'pull_request']);

export function registerWebhookRoutes(app: FastifyInstance, { engine }: ApiContext): void {
  void app.register(async (scope) => {
    // A webhook's payload (a push, a PR, in whatever encoding the service chose) only says
    // "check now"; it is never parsed, but kept as raw bytes because GitHub signs them.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: GITHUB_PAYLOAD_LIMIT }, (_request, body, done) => done(null, body));

    scope.post<{ Params: ResourceParams; Querystring: Static<typeof WebhookQuery> }>(
      '/pipelines/:pipeline/resources/:resource/check/webhook',
      // Services that send webhooks cannot hold weir's bearer token; the resource's own token stands in.
      { schema: { params: ResourceParams, querystring: WebhookQuery }, config: { ownAuth: true }, bodyLimit: GITHUB_PAYLOAD_LIMIT },
      async (request, reply) => {
        const { pipeline, resource } = request.params;
        let pipelineId: number | undefined;
        try {
          pipelineId = findPipeline(engine, pipeline, request.query.instance_vars).id;
        } catch (error) {
          if (!(error instanceof WeirError && error.code === 'pipeline-not-found')) throw error;
        }
        const githubEvent = request.headers['x-github-event'];
        if (typeof githubEvent === 'string') {
          // GitHub signs the payload with the resource's webhook_token as the secret: an
          // unsigned or tampered delivery checks nothing, and looks the same whatever exists.
          const secret = pipelineId === undefined ? undefined : engine.store.resources.get(pipelineId, resource)?.config.webhook_token;
          const signature = request.headers['x-hub-signature-256'];
          const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
          if (typeof secret !== 'string' || typeof signature !== 'string' || !githubSignatureMatches(body, secret, signature)) {
            const answer: ErrorBody = {
              error: {
                code: 'webhook-signature-invalid',
                message: `the ${githubEvent} delivery for ${resource} has no valid X-Hub-Signature-256`,
                hint: "set the GitHub webhook's secret to the resource's webhook_token",
              },
            };
            return reply.code(401).send(answer);
          }
          if (!CHECKING_GITHUB_EVENTS.has(githubEvent)) return { checked: false };
        }
        if (pipelineId === undefined) throw refused(resource);
        await engine.checker.checkByWebhook(pipelineId, resource, request.query.webhook_token);
        return { checked: true };
      },
    );
  });
}

/** Whether `header` is `sha256=` and the HMAC-SHA256 of `body` under `secret`, compared in constant time. */
export function githubSignatureMatches(body: Buffer, secret: string, header: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The answer for a wrong token, so the endpoint tells nothing about which pipelines exist. */
function refused(resource: string): WeirError {
  return new WeirError('webhook-token-invalid', `no resource ${resource} accepts this webhook token`, {
    location: resource,
    hint: 'use the webhook_token set on the resource in the pipeline',
  });
}
