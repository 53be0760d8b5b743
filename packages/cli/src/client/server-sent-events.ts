import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** The messages of a `text/event-stream` body as they arrive; ends when the body ends. */
export async function* serverSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<EventSourceMessage> {
  const arrived: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => arrived.push(message) });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
      while (arrived.length > 0) yield arrived.shift() as EventSourceMessage;
    }
  } finally {
    // A consumer that stops early (or a dropped connection) must not leave the socket open.
    await reader.cancel().catch(() => undefined);
  }
}
