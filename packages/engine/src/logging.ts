import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * The engine's structured log: JSON lines on stdout (or `destination`), one logger per
 * component via `child`.
 */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino({ name: 'weir', level: options.level ?? 'info' }, options.destination);
}
