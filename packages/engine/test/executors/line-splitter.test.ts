import { describe, expect, it } from 'vitest';
import { LineSplitter, MAX_LINE_BYTES } from '../../src/executors/local/line-splitter.js';

function split(chunks: Array<Buffer | string>): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('splits on \\n and \\r\\n, keeps empty lines, and delivers a last line without a newline', () => {
    expect(split(['one\ntwo\r\n\nthr', 'ee\r', '\nfour'])).toEqual(['one', 'two', '', 'three', 'four']);
  });

  it('delivers nothing for empty output and no phantom line after a final newline', () => {
    expect(split([])).toEqual([]);
    expect(split(['a\n'])).toEqual(['a']);
  });

  it('decodes a multi-byte character split across chunks', () => {
    const bytes = Buffer.from('größe → 日本 🚀\n');
    const chunks = [...bytes].map((byte) => Buffer.from([byte]));
    expect(split(chunks)).toEqual(['größe → 日本 🚀']);
  });

  it('cuts a line longer than 64 KiB into 64 KiB pieces, wherever the chunks fall', () => {
    const line = 'x'.repeat(MAX_LINE_BYTES * 2 + 10);
    const expected = ['x'.repeat(MAX_LINE_BYTES), 'x'.repeat(MAX_LINE_BYTES), 'x'.repeat(10), 'next'];
    expect(split([`${line}\nnext`])).toEqual(expected);
    const text = Buffer.from(`${line}\nnext`);
    const small: Buffer[] = [];
    for (let i = 0; i < text.length; i += 1000) small.push(text.subarray(i, i + 1000));
    expect(split(small)).toEqual(expected);
  });

  it('never cuts a multi-byte character when cutting a long line', () => {
    const line = `${'a'.repeat(MAX_LINE_BYTES - 1)}é${'b'.repeat(5)}`;
    const lines = split([`${line}\n`]);
    expect(lines).toEqual(['a'.repeat(MAX_LINE_BYTES - 1), `é${'b'.repeat(5)}`]);
    for (const piece of lines) expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(MAX_LINE_BYTES);
  });

  it('keeps a line of exactly 64 KiB whole, even when \\r\\n is split across chunks', () => {
    const line = 'y'.repeat(MAX_LINE_BYTES);
    expect(split([line, '\r', '\nend'])).toEqual([line, 'end']);
  });
});
