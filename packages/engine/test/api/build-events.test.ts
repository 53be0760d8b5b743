import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { openEventStream, setTestPipeline, testApi, type EventStreamClient, type TestApi } from '../support/api.js';

async function pendingBuild(api: TestApi): Promise<number> {
  await setTestPipeline(api);
  return (await api.call('/pipelines/app/jobs/unit/builds', { method: 'POST' })).body.id;
}

function log(engine: Engine, buildId: number, line: string): void {
  engine.events.append(buildId, { type: 'log', origin: '1', data: { stream: 'stdout', line } });
}

/** The lines of the next `count` log events. */
async function lines(stream: EventStreamClient, count: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < count; i++) {
    const event = await stream.next();
    expect(event?.event).toBe('log');
    const body = JSON.parse(event!.data);
    expect(event!.id).toBe(String(body.seq));
    seen.push(body.data.line);
  }
  return seen;
}

async function expectEnd(stream: EventStreamClient): Promise<void> {
  expect(await stream.next()).toEqual({ event: 'end', data: '' });
  expect(await stream.next()).toBeUndefined();
}

describe('API: build events', () => {
  it('streams stored events, then live ones, and ends when the build closes', async () => {
    const api = await testApi();
    const id = await pendingBuild(api);
    log(api.engine, id, 'one');
    log(api.engine, id, 'two');

    const stream = await openEventStream(api, `/builds/${id}/events`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    expect(stream.headers.get('cache-control')).toBe('no-cache');
    expect(await lines(stream, 2)).toEqual(['one', 'two']);

    log(api.engine, id, 'three');
    const third = await stream.next();
    expect(JSON.parse(third!.data)).toEqual({ seq: 3, at: expect.any(Number), type: 'log', origin: '1', data: { stream: 'stdout', line: 'three' } });
    api.engine.events.close(id);
    await expectEnd(stream);
  });

  it('misses nothing when a client reconnects with Last-Event-ID', async () => {
    const api = await testApi();
    const id = await pendingBuild(api);
    log(api.engine, id, 'one');
    log(api.engine, id, 'two');
    const first = await openEventStream(api, `/builds/${id}/events`);
    expect(await lines(first, 2)).toEqual(['one', 'two']);
    first.disconnect();

    log(api.engine, id, 'three');
    log(api.engine, id, 'four');
    // EventSource keeps the URL it started with; the header says where it got to.
    const second = await openEventStream(api, `/builds/${id}/events?from=0`, { 'last-event-id': '2' });
    expect(await lines(second, 2)).toEqual(['three', 'four']);
    log(api.engine, id, 'five');
    expect(await lines(second, 1)).toEqual(['five']);
    api.engine.events.close(id);
    await expectEnd(second);
  });

  it('starts after ?from', async () => {
    const api = await testApi();
    const id = await pendingBuild(api);
    for (const line of ['one', 'two', 'three']) log(api.engine, id, line);
    const stream = await openEventStream(api, `/builds/${id}/events?from=2`);
    expect(await lines(stream, 1)).toEqual(['three']);
    api.engine.events.close(id);
    await expectEnd(stream);
  });

  it('sends every event of a long build in order', async () => {
    const api = await testApi();
    const id = await pendingBuild(api);
    const count = 2500;
    for (let i = 1; i <= count; i++) log(api.engine, id, `line ${i} ${'x'.repeat(200)}`);
    const stream = await openEventStream(api, `/builds/${id}/events`);
    const seen = await lines(stream, count);
    expect(seen.map((line) => Number(line.split(' ')[1]))).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    api.engine.events.close(id);
    await expectEnd(stream);
  });

  it('ends at once for a build that has ended', async () => {
    const api = await testApi();
    const id = await pendingBuild(api);
    await api.call(`/builds/${id}/abort`, { method: 'POST' });
    const stream = await openEventStream(api, `/builds/${id}/events`);
    const status = await stream.next();
    expect(status?.event).toBe('status');
    expect(JSON.parse(status!.data).data.status).toBe('aborted');
    await expectEnd(stream);
  });

  it('ends open streams when the server closes', async () => {
    const api = await testApi();
    const id = await pendingBuild(api);
    const stream = await openEventStream(api, `/builds/${id}/events`);
    log(api.engine, id, 'one');
    expect(await lines(stream, 1)).toEqual(['one']);
    await api.server.close();
    expect(await stream.next()).toBeUndefined();
  });

  it('answers a page of events as JSON', async () => {
    const api = await testApi();
    const id = await pendingBuild(api);
    for (const line of ['one', 'two', 'three', 'four']) log(api.engine, id, line);
    const page = await api.call(`/builds/${id}/events`, { query: { format: 'json', from: '1', limit: '2' } });
    expect(page.body.map((event: { seq: number }) => event.seq)).toEqual([2, 3]);
    expect(page.body[0]).toEqual({ seq: 2, at: expect.any(Number), type: 'log', origin: '1', data: { stream: 'stdout', line: 'two' } });
    expect((await api.call(`/builds/${id}/events`, { query: { format: 'json', limit: '10001' } })).status).toBe(400);
  });

  it('answers an unknown build with a JSON error', async () => {
    const api = await testApi();
    const answer = await api.call('/builds/999/events');
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('build-not-found');
    expect((await api.call('/builds/1/events', { headers: { 'last-event-id': 'abc' } })).status).toBe(400);
  });
});
