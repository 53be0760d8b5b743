import { DISK_FULL_HINT, isDiskFull } from '../disk-full.js';
import { WeirError } from '../errors.js';
import { PipelineInvalidError } from '../pipelines/load-for-set.js';
import { problemJson, type ProblemJson } from './views.js';

export interface ErrorBody {
  error: { code: string; message: string; hint?: string; problems?: ProblemJson[] };
}

export interface ErrorReply {
  status: number;
  body: ErrorBody;
  /** A bug in weir rather than something the caller can fix: worth a log line. */
  internal: boolean;
}

/** Codes for a state that forbids the request now, though it may not later. */
const CONFLICT_CODES = new Set([
  'pipeline-config-conflict',
  'pipeline-archived',
  'pipeline-exists',
  'build-not-running',
  'build-not-started',
  'resource-pinned-in-config',
  'version-gone',
]);

/**
 * Codes for something that is not there. A wrong webhook token is one too, so the webhook
 * route tells a caller nothing about which resources exist.
 */
const NOT_FOUND_CODES = new Set(['build-has-no-plan', 'webhook-token-invalid', 'route-not-found', 'web-ui-not-built']);

function statusForCode(code: string): number {
  if (code === 'unauthorized') return 401;
  if (code === 'host-not-allowed') return 403;
  if (code === 'csrf-token-invalid') return 403;
  if (code.endsWith('-not-found') || NOT_FOUND_CODES.has(code)) return 404;
  if (CONFLICT_CODES.has(code)) return 409;
  return 400;
}

/** Fastify's own errors for requests it could not take, as weir codes. */
const FASTIFY_CODES: Record<string, { code: string; hint: string }> = {
  FST_ERR_VALIDATION: { code: 'request-invalid', hint: 'see docs/api.md for what this route takes' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'body-not-json', hint: 'send a JSON body with content-type application/json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'body-not-json', hint: 'send a JSON body with content-type application/json' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'content-type-unsupported', hint: 'send JSON with content-type application/json' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'body-too-large', hint: 'send a smaller body' },
};

/** Any error as the status and `{error: {code, message, hint?}}` body the API answers with. */
export function errorReply(error: unknown): ErrorReply {
  if (error instanceof WeirError) {
    return {
      status: statusForCode(error.code),
      body: {
        error: {
          code: error.code,
          message: error.message,
          ...(error.hint !== undefined && { hint: error.hint }),
          ...(error instanceof PipelineInvalidError && { problems: error.problems.map(problemJson) }),
        },
      },
      internal: false,
    };
  }
  if (isDiskFull(error)) {
    // 507 Insufficient Storage: the request was fine, and may be sent again once there is room.
    return {
      status: 507,
      body: { error: { code: 'disk-full', message: 'the disk is full: weir could not save this change', hint: DISK_FULL_HINT } },
      internal: false,
    };
  }
  const status = clientErrorStatus(error);
  if (status !== undefined) {
    const known = FASTIFY_CODES[(error as { code?: string }).code ?? ''];
    return {
      status,
      body: {
        error: {
          code: known?.code ?? 'request-invalid',
          message: (error as Error).message,
          hint: known?.hint ?? 'see docs/api.md for what this route takes',
        },
      },
      internal: false,
    };
  }
  return {
    status: 500,
    body: {
      error: {
        code: 'internal-error',
        message: 'weir failed to answer this request',
        hint: 'this is a bug in weir; the server log has the details',
      },
    },
    internal: true,
  };
}

/** The 4xx status fastify gave an error it raised for a request it could not take. */
function clientErrorStatus(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}
