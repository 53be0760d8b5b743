import { CliError } from '../cli-error.js';
import { ApiError, EngineUnreachableError } from './api-error.js';
import type { ApiErrorBody } from './api-types.js';
import type { Connection } from './connection.js';
import { sendRequest, type HttpAnswer } from './http-exchange.js';
import type { Route } from './routes.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The engine's HTTP API: JSON in and out, errors turned into messages a user can act on. */
export class WeirClient {
  constructor(readonly connection: Connection) {}

  get url(): string {
    return this.connection.url;
  }

  get<T>(at: Route): Promise<T> {
    return this.request<T>('GET', at);
  }

  /** A read that needs the token: the engine's secret store. */
  getWithToken<T>(at: Route): Promise<T> {
    return this.request<T>('GET', at, undefined, true);
  }

  /** A GET that answers undefined for a thing that does not exist (404), instead of failing. */
  async find<T>(at: Route): Promise<T | undefined> {
    try {
      return await this.get<T>(at);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  post<T>(at: Route, body?: unknown): Promise<T> {
    return this.request<T>('POST', at, body);
  }

  put<T>(at: Route, body: unknown): Promise<T> {
    return this.request<T>('PUT', at, body);
  }

  async delete(at: Route): Promise<void> {
    await this.request<unknown>('DELETE', at);
  }

  /** Opens a server-sent event stream; the caller reads the body. */
  async openStream(at: Route, headers: Record<string, string>): Promise<HttpAnswer> {
    const response = await this.send('GET', at, { accept: 'text/event-stream', ...headers });
    if (!isOk(response)) throw await this.failure(response);
    return response;
  }

  private async request<T>(method: Method, at: Route, body?: unknown, tokenForRead = false): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    // Reads are open; only changes need the token, so reading works without the data directory.
    if (method !== 'GET' || tokenForRead) headers.authorization = `Bearer ${await this.connection.token.read()}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.send(method, at, headers, body === undefined ? undefined : JSON.stringify(body));
    if (!isOk(response)) throw await this.failure(response);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`the engine at ${this.url} answered ${method} ${at.path} with something that is not JSON`, 'check that --url (or WEIR_URL) points at a weir engine');
    }
  }

  private async send(method: Method, at: Route, headers: Record<string, string>, body?: string): Promise<HttpAnswer> {
    const url = new URL(`${this.url}/api/v1${at.path}`);
    for (const [key, value] of Object.entries(at.query)) url.searchParams.set(key, value);
    try {
      return await sendRequest(url, method, headers, body);
    } catch (cause) {
      throw this.unreachable(cause);
    }
  }

  private unreachable(cause: unknown): CliError {
    const code = errorCode(cause);
    if (code === 'ECONNREFUSED') {
      return new EngineUnreachableError(`no weir engine answers at ${this.url}`, 'start one with `weir up`, or pass --url (or set WEIR_URL) to reach one that runs elsewhere');
    }
    const reason = code ?? ((cause as Error).cause as Error | undefined)?.message ?? (cause as Error).message;
    return new EngineUnreachableError(`cannot reach the engine at ${this.url} (${reason})`, 'check --url (or WEIR_URL), and that `weir up` runs there');
  }

  private async failure(response: HttpAnswer): Promise<CliError> {
    const text = await response.text().catch(() => '');
    let body: ApiErrorBody | undefined;
    try {
      body = JSON.parse(text) as ApiErrorBody;
    } catch {
      body = undefined;
    }
    if (response.status === 401) {
      const { origin, fromEnvironment } = this.connection.token;
      return new ApiError(
        401,
        body?.error?.code ?? 'unauthorized',
        `the engine at ${this.url} refused the token from ${origin}`,
        fromEnvironment
          ? "WEIR_TOKEN must hold the token in the `token` file of that engine's data directory; or unset it, and pass --data DIR to read the file"
          : "that file holds another engine's token: pass --data with the data directory of the engine at this URL, or set WEIR_TOKEN to its token",
      );
    }
    if (!body?.error?.message) {
      return new CliError(`the engine at ${this.url} answered ${response.status} ${response.statusText}`, 'check that --url (or WEIR_URL) points at a weir engine');
    }
    const hint = body.error.hint ?? (response.status >= 500 ? 'this is a bug in weir; the engine log has the details' : undefined);
    return new ApiError(response.status, body.error.code, body.error.message, hint, body.error.problems ?? []);
  }
}

function isOk(response: HttpAnswer): boolean {
  return response.status >= 200 && response.status < 300;
}

/** The socket's error, possibly wrapped; with several addresses for a host, an AggregateError. */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E')) return code;
    const nested = (current as AggregateError).errors;
    current = Array.isArray(nested) ? nested[0] : (current as Error).cause;
  }
  return undefined;
}
