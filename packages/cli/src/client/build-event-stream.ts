import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from '../cli-error.js';
import { ApiError, EngineUnreachableError } from './api-error.js';
import type { ApiBuildEvent } from './api-types.js';
import { buildRoute } from './routes.js';
import { serverSentEvents } from './server-sent-events.js';
import type { WeirClient } from './weir-client.js';

export interface BuildEventStreamOptions {
  /** Start after this event (0: from the first). */
  afterSeq?: number;
  /** Pauses before each reconnection in a row; when they run out, following fails. */
  reconnectDelaysMs?: readonly number[];
}

const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000];

/**
 * A build's events from `/builds/:id/events`, stored ones first, then live ones, until the
 * engine says the build has ended. A dropped connection is picked up again with Last-Event-ID,
 * so no event is missed or repeated.
 */
export async function* buildEventStream(client: WeirClient, buildId: number, options: BuildEventStreamOptions = {}): AsyncGenerator<ApiBuildEvent> {
  const delays = options.reconnectDelaysMs ?? RECONNECT_DELAYS_MS;
  let lastSeq = options.afterSeq ?? 0;
  let failures = 0;
  let connected = false;
  for (;;) {
    let lastProblem: string;
    try {
      const response = await client.openStream(buildRoute(buildId, 'events'), lastSeq > 0 ? { 'last-event-id': String(lastSeq) } : {});
      connected = true;
      for await (const message of serverSentEvents(response.body)) {
        if (message.event === 'end') return;
        const event = parseEvent(message.data, buildId);
        if (event.seq <= lastSeq) continue;
        lastSeq = event.seq;
        failures = 0;
        yield event;
      }
      lastProblem = 'the engine closed the stream before the build ended';
    } catch (error) {
      // Only a broken connection is worth retrying; an engine that was never reached, or that says no, is reported now.
      const retryable = error instanceof ApiError ? error.status >= 500 : error instanceof EngineUnreachableError ? connected : !(error instanceof CliError);
      if (!retryable) throw error;
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    const delay = delays[failures];
    if (delay === undefined) {
      throw new CliError(`lost the connection to the engine at ${client.url} while following build ${buildId} (${lastProblem})`, `check that the engine runs, then \`weir watch -b ${buildId}\` picks up where this stopped`);
    }
    failures++;
    await sleep(delay);
  }
}

function parseEvent(data: string, buildId: number): ApiBuildEvent {
  let event: ApiBuildEvent;
  try {
    event = JSON.parse(data) as ApiBuildEvent;
  } catch {
    throw new CliError(`the engine sent an event of build ${buildId} that is not JSON: ${data.slice(0, 80)}`, 'the CLI and the engine may be different versions of weir');
  }
  if (typeof event.seq !== 'number' || typeof event.type !== 'string') {
    throw new CliError(`the engine sent an event of build ${buildId} without a seq or type: ${data.slice(0, 80)}`, 'the CLI and the engine may be different versions of weir');
  }
  return event;
}
