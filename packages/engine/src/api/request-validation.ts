import { Ajv } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Compiles route schemas. Bodies are JSON and checked as sent; params, queries and headers are
 * text, so they are coerced (`?limit=5` is a number). Unknown keys are refused, never dropped:
 * a mistyped field must not be silently ignored.
 */
export function requestValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const options = { useDefaults: true, removeAdditional: false, allErrors: false } as const;
  const bodies = new Ajv({ ...options, coerceTypes: false });
  const texts = new Ajv({ ...options, coerceTypes: 'array' });
  return ({ schema, httpPart }) => (httpPart === 'body' ? bodies : texts).compile(schema as object);
}
