import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** The messages of a `text/event-stream` body as they arrive; ends when the body ends. */
export async function* serverSentEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<EventSourceMessage> {
  const arrived: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => arrived.push(message) });
  const decoder = new TextDecoder();
  // Leaving the loop early (a consumer that stops, or a dropped connection) ends the body's
  // iterator, which destroys the stream: no socket is left open.
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    while (arrived.length > 0) yield arrived.shift() as EventSourceMessage;
  }
}
