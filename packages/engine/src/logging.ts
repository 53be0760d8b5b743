import pino, { type Logger } from 'pino';

export type { Logger };

/** The engine's structured log: JSON lines on stdout, one logger per component via `child`. */
export function createLogger(options: { level?: string } = {}): Logger {
  return pino({ name: 'weir', level: options.level ?? 'info' });
}
