import { StringDecoder } from 'node:string_decoder';

/** The longest piece of a line kept in memory; a longer line is delivered in pieces of this size. */
export const MAX_LINE_BYTES = 64 * 1024;

/** A UTF-16 code unit takes at most 3 bytes in UTF-8 (a surrogate pair takes 4 for 2 units). */
const MAX_UTF8_BYTES_PER_UNIT = 3;

/**
 * Cuts a byte stream into lines, as they arrive. Each chunk is decoded once (a character split
 * across chunks is held back by the decoder) and cut with `indexOf`, so the cost is a few string
 * slices per line; only the unfinished last line is kept, and only up to MAX_LINE_BYTES.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  /** The unfinished line, and its size in UTF-8 bytes (counted only once it could matter). */
  private pending = '';
  private pendingBytes = 0;

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    this.take(this.decoder.write(chunk));
  }

  /** Delivers what is left: a last line without a newline is still a line. */
  end(): void {
    this.take(this.decoder.end());
    if (this.pending !== '') this.emit(this.pending);
    this.pending = '';
    this.pendingBytes = 0;
  }

  private take(text: string): void {
    let newline = text.indexOf('\n');
    if (newline === -1) {
      this.append(text);
      return;
    }
    this.emit(this.pending === '' ? text.slice(0, newline) : this.pending + text.slice(0, newline));
    this.pending = '';
    this.pendingBytes = 0;
    let start = newline + 1;
    while ((newline = text.indexOf('\n', start)) !== -1) {
      this.emit(text.slice(start, newline));
      start = newline + 1;
    }
    this.append(text.slice(start));
  }

  private emit(text: string): void {
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (line.length * MAX_UTF8_BYTES_PER_UNIT <= MAX_LINE_BYTES) {
      this.onLine(line);
      return;
    }
    const rest = this.deliverPieces(Buffer.from(line), false);
    if (rest.length > 0) this.onLine(rest.toString());
  }

  private append(text: string): void {
    if (text === '') return;
    this.pending += text;
    // Counting bytes costs a pass over the text, so it is skipped while the line is surely short.
    if (this.pendingBytes === 0 && this.pending.length * MAX_UTF8_BYTES_PER_UNIT <= MAX_LINE_BYTES) return;
    this.pendingBytes += this.pendingBytes === 0 ? Buffer.byteLength(this.pending) : Buffer.byteLength(text);
    if (this.pendingBytes > MAX_LINE_BYTES) this.cutLongLine();
  }

  private cutLongLine(): void {
    const rest = this.deliverPieces(Buffer.from(this.pending), true);
    this.pending = rest.toString();
    this.pendingBytes = rest.length;
  }

  /**
   * Delivers whole MAX_LINE_BYTES pieces from the front of a line, never splitting a character,
   * and returns the rest (at most MAX_LINE_BYTES). In an unfinished line a `\r` right after a
   * full piece may be the start of `\r\n`, so it waits for the next byte.
   */
  private deliverPieces(line: Buffer, unfinished: boolean): Buffer {
    let bytes = line;
    while (bytes.length > MAX_LINE_BYTES && !(unfinished && bytes.length === MAX_LINE_BYTES + 1 && bytes[MAX_LINE_BYTES] === 0x0d)) {
      let cut = MAX_LINE_BYTES;
      while (((bytes[cut] as number) & 0xc0) === 0x80) cut--;
      this.onLine(bytes.subarray(0, cut).toString());
      bytes = bytes.subarray(cut);
    }
    return bytes;
  }
}
