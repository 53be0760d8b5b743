import { createLogger, type Logger } from '@weir/engine';
import type { DestinationStream } from 'pino';
import type { LogFormat } from './log-format.js';

/**
 * The engine's logger writing to stdout (or `destination`) in `format`. pino-pretty runs as a
 * stream in this thread, not as a pino transport: a transport is a worker thread that resolves
 * its module by name at run time, which a bundled command should not depend on.
 */
export async function engineLogger(options: { format: LogFormat; level: string; color: boolean; destination?: DestinationStream }): Promise<Logger> {
  if (options.format === 'json') return createLogger({ level: options.level, ...(options.destination && { destination: options.destination }) });
  // Loaded only when asked for: JSON logs and every other command start without it.
  const { default: pretty } = await import('pino-pretty');
  const stream = pretty({
    colorize: options.color,
    destination: options.destination ?? 1,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,name',
    singleLine: true,
  });
  return createLogger({ level: options.level, destination: stream });
}
