import { ResourceError } from '../interface.js';

export interface DeliveryOptions {
  /** Attempts after the first, on a network error, a timeout, a 5xx or a 429. */
  retries: number;
  timeoutMs: number;
  signal: AbortSignal;
  /** The wait before the first retry; each later one doubles it. */
  baseDelayMs: number;
  /** The longest wait, also for a `Retry-After` that asks for more. */
  maxDelayMs: number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  log(line: string): void;
}

export interface Delivered {
  status: number;
  attempts: number;
}

type Attempt = { kind: 'answered'; status: number; statusText: string; retryAfter: string | null; body: string } | { kind: 'unreachable'; reason: string };

/**
 * The wait before retry number `retry` (1 for the first): what `Retry-After` asks (seconds or
 * an HTTP date), else `base`, doubling; never more than `max`.
 */
export function retryDelayMs(retry: number, retryAfter: string | null, now: number, base: number, max: number): number {
  if (retryAfter !== null) {
    const seconds = Number(retryAfter.trim());
    const asked = Number.isFinite(seconds) && retryAfter.trim() !== '' ? seconds * 1000 : Date.parse(retryAfter) - now;
    if (Number.isFinite(asked)) return Math.min(Math.max(asked, 0), max);
  }
  return Math.min(base * 2 ** (retry - 1), max);
}

function retryable(attempt: Attempt): boolean {
  return attempt.kind === 'unreachable' || attempt.status === 429 || attempt.status >= 500;
}

/**
 * POSTs `body` as JSON. The URL is a secret (a chat webhook's path is its token), so errors and
 * log lines name only its host. Redirects are not followed: a webhook that redirects is
 * misconfigured, and following it would send the headers to whoever it points at.
 */
export async function deliver(url: URL, body: unknown, headers: Readonly<Record<string, string>>, options: DeliveryOptions): Promise<Delivered> {
  const host = url.host;
  let last: Attempt | undefined;
  for (let attempt = 1; attempt <= options.retries + 1; attempt++) {
    if (attempt > 1 && last !== undefined) {
      const wait = retryDelayMs(attempt - 1, last.kind === 'answered' ? last.retryAfter : null, Date.now(), options.baseDelayMs, options.maxDelayMs);
      options.log(`${describe(last)}; trying again in ${Math.round(wait / 100) / 10} s (attempt ${attempt} of ${options.retries + 1})`);
      await options.sleep(wait, options.signal);
    }
    last = await post(url, body, headers, options);
    if (last.kind === 'answered' && last.status >= 200 && last.status < 300) return { status: last.status, attempts: attempt };
    if (!retryable(last)) break;
  }
  const final = last as Attempt;
  if (final.kind === 'unreachable') {
    throw new ResourceError('notification-unreachable', `cannot reach ${host}: ${final.reason} (${options.retries + 1} attempts)`, 'check that the endpoint is up and reachable from the engine, and its host name');
  }
  if (retryable(final)) {
    throw new ResourceError('notification-failed', `${host} answered ${final.status} ${final.statusText} to every attempt (${options.retries + 1})`, 'the endpoint is failing or rate-limiting; raise `retries` in the source, or try again later');
  }
  throw new ResourceError(
    'notification-rejected',
    `${host} refused the message: ${final.status} ${final.statusText}${final.body ? `: ${final.body}` : ''}`,
    final.status >= 300 && final.status < 400
      ? 'the endpoint redirects; weir does not follow redirects with a webhook: give the final URL'
      : 'check the webhook URL (it may have been revoked), the headers and the format the endpoint expects',
  );
}

async function post(url: URL, body: unknown, headers: Readonly<Record<string, string>>, options: DeliveryOptions): Promise<Attempt> {
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'weir-notification', ...headers },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal,
    });
    const text = (await response.text()).slice(0, 300).trim();
    return { kind: 'answered', status: response.status, statusText: response.statusText, retryAfter: response.headers.get('retry-after'), body: text };
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${options.timeoutMs / 1000} s` : (cause?.code ?? cause?.message ?? (error as Error).message);
    return { kind: 'unreachable', reason };
  }
}

function describe(attempt: Attempt): string {
  return attempt.kind === 'unreachable' ? `unreachable: ${attempt.reason}` : `answered ${attempt.status} ${attempt.statusText}`;
}
