import type { BuildEvent, LogStream } from '../runner/events/build-event.js';

/**
 * How a page of build events is stored: compact JSON, because log lines are nearly every event
 * and their envelope (time, type, origin, stream) used to cost ten times a short line.
 *
 *   {"at": <ms of the first event>, "e": [ <event>, ... ]}
 *
 * Each event's time is its distance in ms from the event before it (the first's from `at`), and
 * an event without an origin of its own has the previous event's. An event is one of:
 *   "line"                     a stdout line, 0 ms after the previous event, same origin
 *   [dt, s, "line"]            a line on stream s (0 stdout, 1 stderr, 2 weir), same origin
 *   [dt, s, "line", "origin"]  the same with its own origin
 *   [dt, "type", data, origin] any other event; origin is null when it has none
 *
 * Pages written before this encoding are arrays of [at, type, origin, data]; they are still read.
 */
export interface EncodedPage {
  at: number;
  e: unknown[];
}

type DecodedEvent = Pick<BuildEvent, 'at' | 'type' | 'data'> & { origin?: string };

const STREAMS: readonly LogStream[] = ['stdout', 'stderr', 'weir'];
const STREAM_CODE: Readonly<Record<LogStream, number>> = { stdout: 0, stderr: 1, weir: 2 };

/** The page's text, written directly: a million log lines never become a million small arrays. */
export function encodeEventPage(events: ReadonlyArray<Pick<BuildEvent, 'at' | 'type' | 'data'> & { origin?: string | undefined }>): string {
  if (events.length === 0) return '{"at":0,"e":[]}';
  const parts = new Array<string>(events.length);
  let previousAt = events[0]!.at;
  let previousOrigin: string | null = null;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const origin = event.origin ?? null;
    const dt = event.at - previousAt;
    if (event.type === 'log') {
      const { stream, line } = event.data as { stream: LogStream; line: string };
      const text = JSON.stringify(line);
      if (origin === previousOrigin) parts[i] = dt === 0 && stream === 'stdout' ? text : `[${dt},${STREAM_CODE[stream]},${text}]`;
      else parts[i] = `[${dt},${STREAM_CODE[stream]},${text},${JSON.stringify(origin)}]`;
    } else {
      parts[i] = `[${dt},"${event.type}",${JSON.stringify(event.data)},${origin === null ? 'null' : JSON.stringify(origin)}]`;
    }
    previousAt = event.at;
    previousOrigin = origin;
  }
  return `{"at":${events[0]!.at},"e":[${parts.join(',')}]}`;
}

/** A stored page's events in order, from either encoding. */
export function decodeEventPage(text: string): DecodedEvent[] {
  const parsed = JSON.parse(text) as EncodedPage | Array<[number, BuildEvent['type'], string | null, unknown]>;
  if (Array.isArray(parsed)) {
    return parsed.map(([at, type, origin, data]) => (origin === null ? { at, type, data } : { at, type, origin, data }) as DecodedEvent);
  }
  const events = new Array<DecodedEvent>(parsed.e.length);
  let at = parsed.at;
  let origin: string | null = null;
  for (let i = 0; i < parsed.e.length; i++) {
    const item = parsed.e[i];
    if (typeof item === 'string') {
      events[i] = logEvent(at, origin, 'stdout', item);
      continue;
    }
    const [dt, kind, payload, own] = item as [number, number | BuildEvent['type'], unknown, string | null | undefined];
    at += dt;
    if (typeof kind === 'number') {
      if (own !== undefined) origin = own;
      events[i] = logEvent(at, origin, STREAMS[kind]!, payload as string);
    } else {
      origin = own ?? null;
      events[i] = (origin === null ? { at, type: kind, data: payload } : { at, type: kind, origin, data: payload }) as DecodedEvent;
    }
  }
  return events;
}

function logEvent(at: number, origin: string | null, stream: LogStream, line: string): DecodedEvent {
  return (origin === null ? { at, type: 'log', data: { stream, line } } : { at, type: 'log', origin, data: { stream, line } }) as DecodedEvent;
}
