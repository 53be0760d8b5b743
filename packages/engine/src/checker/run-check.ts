import type { AnyResourceType, LocalPathPolicy, ResourceContext, ResourceLogger, Version, Versioned } from '@weir/resources';
import { WeirError } from '../errors.js';
import { validateSource, validateVersions } from '../resource-types/checked-calls.js';

export interface CheckCall {
  type: AnyResourceType;
  source: unknown;
  from: Version | undefined;
  timeoutMs: number;
  /** "pipeline/resource", for messages. */
  location: string;
  logger: ResourceLogger;
  cacheDir: string;
  localPaths: LocalPathPolicy;
  redact: (text: string) => string;
  /** Aborts the check when the engine stops. */
  signal: AbortSignal;
  /** The pipeline's credential managers, for what the type hands on unread (a declared type's source). */
  resolveSecrets?: ResourceContext['resolveSecrets'];
  now: () => number;
}

/**
 * One check: source validated first, the call bounded by the timeout even if the type ignores
 * its abort signal, and the result validated before anything is saved.
 */
export async function runCheck(call: CheckCall): Promise<Versioned[]> {
  validateSource(call.type, call.source, call.location);
  const timeout = new AbortController();
  const signal = AbortSignal.any([call.signal, timeout.signal]);
  const ctx: ResourceContext = {
    logger: call.logger,
    signal,
    log: (line) => call.logger.debug({ resource: call.location }, call.redact(line)),
    redact: call.redact,
    cacheDir: call.cacheDir,
    now: () => new Date(call.now()),
    localPaths: call.localPaths,
    ...(call.resolveSecrets && { resolveSecrets: call.resolveSecrets }),
  };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timeout.abort();
      reject(
        new WeirError('check-timeout', `checking ${call.location} took longer than ${formatMs(call.timeoutMs)}`, {
          location: call.location,
          hint: 'raise check_timeout on the resource if the source is just slow',
        }),
      );
    }, call.timeoutMs);
  });
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(new WeirError('check-aborted', `checking ${call.location} was stopped`, { location: call.location }));
    if (call.signal.aborted) onAbort();
    else call.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const result = await Promise.race([call.type.check(ctx, call.source, call.from), timedOut, stopped]);
    return validateVersions(call.type, result, 'check');
  } finally {
    clearTimeout(timer);
    if (onAbort) call.signal.removeEventListener('abort', onAbort);
  }
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
