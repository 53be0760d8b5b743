import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';

/** One answer of the simulator, as a client saw it. */
export interface Exchange {
  method: string;
  /** The request's path without the query and without the `/api/v3` prefix. */
  path: string;
  status: number;
  headers: Headers;
  /** The raw body; '' when there was none. */
  text: string;
}

export interface Operation {
  id: string;
  template: string;
  method: string;
}

type Json = Record<string, unknown>;

interface ResponseObject {
  content?: Record<string, unknown>;
  headers?: Record<string, Json>;
}

const SPEC_ID = 'api.github.com';
const REF_PREFIX = '#/';

/**
 * The formats GitHub's schemas use for the simulator's answers, written out because ajv-formats
 * is not a dependency of this workspace. A format not here makes ajv warn that it is ignored.
 * `date-time` is GitHub's narrower form, not all of RFC 3339: its REST docs promise every
 * timestamp as `YYYY-MM-DDTHH:MM:SSZ`, and a client may rely on that.
 */
const FORMATS = {
  'date-time': (value: string): boolean => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(value) && !Number.isNaN(Date.parse(value)),
  uri: (value: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(value) && URL.canParse(value),
  int64: { type: 'number' as const, validate: (value: number): boolean => Number.isSafeInteger(value) },
};

/**
 * Checks the simulator's answers against GitHub's published OpenAPI description
 * (@octokit/openapi): the body against the operation's schema for that status, and the headers
 * GitHub documents or always sends against their expected form. The description with `$ref`s is
 * loaded, not the dereferenced one: ajv compiles each shared schema once instead of once per use,
 * and the file is a sixth of the size.
 */
export class OpenApiCheck {
  /** Every operation and status the check saw, as `operationId status`. */
  readonly seen = new Set<string>();
  private readonly ajv: Ajv;
  private readonly operations: Array<Operation & { pattern: RegExp; params: number }> = [];

  private constructor(private readonly spec: Json) {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, formats: FORMATS });
    this.ajv.addSchema(spec, SPEC_ID);
    for (const [template, item] of Object.entries(spec.paths as Record<string, Json>)) {
      const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
      const params = (template.match(/\{/g) ?? []).length;
      for (const [method, operation] of Object.entries(item)) {
        const id = (operation as Json).operationId;
        if (typeof id === 'string') this.operations.push({ id, template, method: method.toUpperCase(), pattern, params });
      }
    }
    // A literal segment wins over a parameter, as in GitHub's router (`/pulls/comments` is not PR "comments").
    this.operations.sort((a, b) => a.params - b.params);
  }

  static load(description = 'api.github.com.json'): OpenApiCheck {
    const path = createRequire(import.meta.url).resolve(`@octokit/openapi/generated/${description}`);
    return new OpenApiCheck(JSON.parse(readFileSync(path, 'utf8')) as Json);
  }

  operationOf(method: string, path: string): Operation | undefined {
    const found = this.operations.find((operation) => operation.method === method && operation.pattern.test(path));
    return found && { id: found.id, template: found.template, method: found.method };
  }

  /** What in `exchange` GitHub would not have answered; empty when it conforms. */
  problems(exchange: Exchange): string[] {
    const operation = this.operationOf(exchange.method, exchange.path);
    this.seen.add(`${operation?.id ?? 'unknown'} ${exchange.status}`);
    const problems = [...this.headerProblems(exchange, operation)];
    const pointer = operation && this.responsePointer(operation, exchange.status);
    let response: ResponseObject | undefined;
    let schemaPointer: string | undefined;
    if (pointer !== undefined) {
      response = this.at(pointer) as ResponseObject;
      schemaPointer = response.content?.['application/json'] === undefined ? undefined : `${pointer}/content/application~1json/schema`;
    } else if (exchange.status >= 400) {
      // Errors GitHub gives every operation (bad credentials, rate limits, a path that is no route) are documented once, not per operation.
      schemaPointer = `#/components/schemas/${exchange.status === 422 ? 'validation-error' : 'basic-error'}`;
    } else {
      return [...problems, `${operation?.id ?? `${exchange.method} ${exchange.path}`} does not document status ${exchange.status}`];
    }

    for (const [name, header] of Object.entries(response?.headers ?? {})) {
      const value = exchange.headers.get(name);
      // Link is only sent when there is more than one page.
      if (value === null && name.toLowerCase() !== 'link') problems.push(`the documented ${name} header is missing`);
      const schema = (this.resolve(header) as { schema?: { type?: string } }).schema;
      if (value !== null && schema?.type === 'integer' && !/^\d+$/.test(value)) problems.push(`${name}: ${JSON.stringify(value)} is not an integer`);
    }

    if (schemaPointer === undefined) {
      if (exchange.text !== '') problems.push(`status ${exchange.status} has no body, but one was sent: ${exchange.text.slice(0, 80)}`);
      return problems;
    }
    if (!/^application\/json(;|$)/.test(exchange.headers.get('content-type') ?? '')) problems.push(`content-type is ${exchange.headers.get('content-type')}, not application/json`);
    let body: unknown;
    try {
      body = JSON.parse(exchange.text);
    } catch {
      return [...problems, `the body is not JSON: ${exchange.text.slice(0, 80)}`];
    }
    const validate = this.ajv.getSchema(`${SPEC_ID}${encodePointer(schemaPointer)}`);
    if (!validate) return [...problems, `no schema at ${schemaPointer}`];
    if (!validate(body)) problems.push(...(validate.errors ?? []).map((error) => `body${error.instancePath} ${error.message ?? ''} ${JSON.stringify(error.params)}`));
    problems.push(...this.undocumented(body, this.at(schemaPointer) as Json, 'body'));
    return problems;
  }

  /**
   * Fields GitHub does not document, which its schemas allow but a client must not come to rely on.
   * Where a schema combines others (allOf, anyOf, oneOf) or allows extra fields, it is not looked into.
   */
  private undocumented(value: unknown, schema: Json, where: string): string[] {
    const resolved = this.resolve(schema);
    if (value === null || typeof value !== 'object' || resolved.allOf || resolved.anyOf || resolved.oneOf) return [];
    if (Array.isArray(value)) return resolved.items ? value.flatMap((item, index) => this.undocumented(item, resolved.items as Json, `${where}/${index}`)) : [];
    const properties = resolved.properties as Record<string, Json> | undefined;
    if (properties === undefined || resolved.additionalProperties !== undefined) return [];
    return Object.entries(value).flatMap(([key, field]) =>
      properties[key] === undefined ? [`${where}/${key} is not in GitHub's schema`] : this.undocumented(field, properties[key], `${where}/${key}`),
    );
  }

  /** The JSON pointer of the operation's response for `status`, with a shared response's `$ref` followed. */
  private responsePointer(operation: Operation, status: number): string | undefined {
    const pointer = `#/paths/${escapeToken(operation.template)}/${operation.method.toLowerCase()}/responses/${status}`;
    const response = this.at(pointer) as { $ref?: string } | undefined;
    if (response === undefined) return undefined;
    return response.$ref ?? pointer;
  }

  private resolve(value: Json): Json {
    return typeof value.$ref === 'string' ? (this.at(value.$ref) as Json) : value;
  }

  private at(pointer: string): unknown {
    if (!pointer.startsWith(REF_PREFIX)) throw new Error(`only local references are followed, not ${pointer}`);
    let value: unknown = this.spec;
    for (const token of pointer.slice(REF_PREFIX.length).split('/')) {
      value = (value as Json | undefined)?.[token.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return value;
  }

  private headerProblems(exchange: Exchange, operation: Operation | undefined): string[] {
    const problems: string[] = [];
    const header = (name: string): string | null => exchange.headers.get(name);

    const numbers: Record<string, number> = {};
    for (const name of ['limit', 'remaining', 'used', 'reset']) {
      const value = header(`x-ratelimit-${name}`);
      if (value === null || !/^\d+$/.test(value)) problems.push(`x-ratelimit-${name} is ${JSON.stringify(value)}, not a whole number`);
      else numbers[name] = Number(value);
    }
    if (numbers.limit !== undefined && numbers.remaining !== undefined && numbers.used !== undefined && numbers.remaining + numbers.used !== numbers.limit) {
      problems.push(`x-ratelimit-remaining (${numbers.remaining}) and x-ratelimit-used (${numbers.used}) do not add up to x-ratelimit-limit (${numbers.limit})`);
    }
    if (numbers.reset !== undefined && Math.abs(numbers.reset - Date.now() / 1000) > 3700) problems.push(`x-ratelimit-reset ${numbers.reset} is not epoch seconds within the hour`);
    if (!/^[a-z_]+$/.test(header('x-ratelimit-resource') ?? '')) problems.push(`x-ratelimit-resource is ${JSON.stringify(header('x-ratelimit-resource'))}`);

    const etag = header('etag');
    if (etag !== null && !/^(W\/)?"[\x21\x23-\x7e]*"$/.test(etag)) problems.push(`etag ${etag} is not a quoted entity tag`);
    if (exchange.method === 'GET' && (exchange.status === 200 || exchange.status === 304) && etag === null) problems.push(`GET ${exchange.status} has no etag`);

    const link = header('link');
    if (link !== null) {
      const documented = operation !== undefined && this.responseHeaderNames(operation, 200).includes('link');
      if (!documented) problems.push(`${operation?.id ?? exchange.path} sends a Link header it does not document`);
      problems.push(...linkProblems(link, exchange.path));
    }
    return problems;
  }

  private responseHeaderNames(operation: Operation, status: number): string[] {
    const pointer = this.responsePointer(operation, status);
    return Object.keys((pointer && (this.at(pointer) as ResponseObject).headers) ?? {}).map((name) => name.toLowerCase());
  }
}

/**
 * Problems with a `Link` header: each part `<absolute URL>; rel="next|last|first|prev"`, each rel
 * at most once, every URL to the same endpoint with `page` and `per_page`.
 */
function linkProblems(link: string, path: string): string[] {
  const problems: string[] = [];
  const rels = new Set<string>();
  for (const part of link.split(/,\s*/)) {
    const match = /^<([^>]+)>; rel="(next|last|first|prev)"$/.exec(part);
    if (!match) {
      problems.push(`link part ${JSON.stringify(part)} is not <url>; rel="next|last|first|prev"`);
      continue;
    }
    const [, href = '', rel = ''] = match;
    if (rels.has(rel)) problems.push(`link names rel="${rel}" twice`);
    rels.add(rel);
    if (!URL.canParse(href)) {
      problems.push(`link ${rel} ${href} is not an absolute URL`);
      continue;
    }
    const target = new URL(href);
    if (target.pathname.replace(/^\/api\/v3(?=\/)/, '') !== path) problems.push(`link ${rel} ${href} leaves ${path}`);
    for (const param of ['page', 'per_page']) if (!/^\d+$/.test(target.searchParams.get(param) ?? '')) problems.push(`link ${rel} ${href} has no numeric ${param}`);
  }
  if (rels.has('next') !== rels.has('last')) problems.push('link has one of next and last without the other');
  if (rels.has('prev') !== rels.has('first')) problems.push('link has one of prev and first without the other');
  return problems;
}

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A JSON pointer as a URI fragment, as ajv resolves it (`{` and `}` of path templates escaped). */
function encodePointer(pointer: string): string {
  return `#${pointer.slice(1).split('/').map(encodeURIComponent).join('/')}`;
}
