import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { WeirError } from '../../errors.js';
import type { ApiContext } from '../api-context.js';
import { findPipeline } from '../lookups.js';
import { instanceVarsQuery, ResourceParams, strictQuery } from '../route-schemas.js';

const WebhookQuery = strictQuery({ ...instanceVarsQuery, webhook_token: Type.String() });

export function registerWebhookRoutes(app: FastifyInstance, { engine }: ApiContext): void {
  void app.register(async (scope) => {
    // A webhook's payload (a push, a PR, in whatever encoding the service chose) only says
    // "check now"; it is read and dropped, never parsed.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => {
      payload.resume();
      done(null, undefined);
    });

    scope.post<{ Params: ResourceParams; Querystring: Static<typeof WebhookQuery> }>(
      '/pipelines/:pipeline/resources/:resource/check/webhook',
      // Services that send webhooks cannot hold weir's bearer token; the resource's own token stands in.
      { schema: { params: ResourceParams, querystring: WebhookQuery }, config: { ownAuth: true } },
      async (request) => {
        const { pipeline, resource } = request.params;
        let pipelineId: number;
        try {
          pipelineId = findPipeline(engine, pipeline, request.query.instance_vars).id;
        } catch (error) {
          if (error instanceof WeirError && error.code === 'pipeline-not-found') throw refused(resource);
          throw error;
        }
        await engine.checker.checkByWebhook(pipelineId, resource, request.query.webhook_token);
        return { checked: true };
      },
    );
  });
}

/** The answer for a wrong token, so the endpoint tells nothing about which pipelines exist. */
function refused(resource: string): WeirError {
  return new WeirError('webhook-token-invalid', `no resource ${resource} accepts this webhook token`, {
    location: resource,
    hint: 'use the webhook_token set on the resource in the pipeline',
  });
}
