import { describe, expect, it } from 'vitest';
import type { BuildEventBody } from '../../src/runner/events/build-event.js';
import { decodeEventPage, encodeEventPage } from '../../src/store/event-page-encoding.js';

type PageEvent = BuildEventBody & { at: number };

const t = 1_796_516_536_000;
const page: PageEvent[] = [
  { at: t, type: 'status', data: { status: 'started' } },
  { at: t + 30, type: 'step-started', origin: '2', data: { kind: 'task', name: 'print' } },
  { at: t + 30, type: 'log', origin: '2', data: { stream: 'weir', line: 'unsandboxed' } },
  { at: t + 31, type: 'log', origin: '2', data: { stream: 'stdout', line: '1' } },
  { at: t + 31, type: 'log', origin: '2', data: { stream: 'stdout', line: 'a "quoted" line\twith \\ and ünïcode' } },
  { at: t + 31, type: 'log', origin: '4[1]/7', data: { stream: 'stdout', line: 'other step' } },
  { at: t + 29, type: 'log', origin: '4[1]/7', data: { stream: 'stderr', line: '' } },
  { at: t + 40, type: 'log', origin: '2', data: { stream: 'stdout', line: 'back' } },
  { at: t + 41, type: 'step-finished', origin: '2', data: { outcome: 'succeeded', exit_status: 0, version: { ref: 'abc' } } },
  { at: t + 41, type: 'log', origin: '2', data: { stream: 'stdout', line: 'after' } },
  { at: t + 42, type: 'error', data: { code: 'x', message: 'y' } },
  { at: t + 42, type: 'status', data: { status: 'succeeded' } },
];

describe('build event pages', () => {
  it('read back every event as written: times, origins (own or none), streams and data', () => {
    expect(decodeEventPage(encodeEventPage(page))).toEqual(page);
    expect(decodeEventPage(encodeEventPage([]))).toEqual([]);
  });

  it('still read pages written before the compact encoding', () => {
    const old = JSON.stringify(page.map((e) => [e.at, e.type, ('origin' in e ? e.origin : undefined) ?? null, e.data]));
    expect(decodeEventPage(old)).toEqual(page);
  });

  it('store a burst of short stdout lines at little more than their text', () => {
    const lines = Array.from({ length: 100 }, (_, i): PageEvent => ({ at: t, type: 'log', origin: '2', data: { stream: 'stdout', line: String(i + 1) } }));
    const text = lines.map((l) => (l.type === 'log' ? l.data.line : '')).join('\n');
    const encoded = encodeEventPage(lines);
    expect(decodeEventPage(encoded)).toEqual(lines);
    // Each line costs its quotes and a comma beyond its text (the first one carries the origin).
    expect(encoded.length).toBeLessThan(text.length + 3 * lines.length + 40);
  });
});
