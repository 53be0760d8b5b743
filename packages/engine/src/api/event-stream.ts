import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { BuildEvent } from '../runner/events/build-event.js';
import { eventJson } from './views.js';

/** The headers of a server-sent event stream; proxies must neither cache nor buffer it. */
export const EVENT_STREAM_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
} as const;

/** One build event as a server-sent event; the id lets a client resume after it. */
export function eventMessage(event: BuildEvent): string {
  // JSON escapes newlines, so the data always fits on one `data:` line.
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(eventJson(event))}\n\n`;
}

/** Sent once the build has ended: there is nothing more to wait for. */
export const END_MESSAGE = 'event: end\ndata:\n\n';

/**
 * Writes a chunk and, when the client reads slower than the build writes, waits until it has
 * caught up, so a slow reader holds back its own stream instead of filling the server's memory.
 */
export async function writeInTurn(stream: Writable, chunk: string, signal: AbortSignal): Promise<void> {
  if (stream.write(chunk) || signal.aborted) return;
  try {
    await once(stream, 'drain', { signal });
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}
