import Anser from 'anser';

export interface Segment {
  text: string;
  color?: string;
  background?: string;
  bold?: boolean;
  italic?: boolean;
  underline?: boolean;
  dim?: boolean;
}

/** OSC sequences (window titles, hyperlinks): nothing to show. */
const OSC = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

/** Control characters left after colours are read: shown as visible symbols, never acted on. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** A log line's text split into styled runs: SGR colours (16, 256 and true colour) and decorations. */
export function ansiSegments(line: string): Segment[] {
  if (!line.includes('\x1b')) return [{ text: visible(line) }];
  const entries = Anser.ansiToJson(line.replace(OSC, ''), { json: true, remove_empty: true });
  return entries.map((entry) => {
    const decorations = new Set(entry.decorations ?? []);
    const reversed = decorations.has('reverse');
    const fg = entry.fg ? `rgb(${entry.fg})` : undefined;
    const bg = entry.bg ? `rgb(${entry.bg})` : undefined;
    const segment: Segment = { text: visible(entry.content) };
    const color = reversed ? (bg ?? 'var(--log-bg)') : fg;
    const background = reversed ? (fg ?? 'var(--log-fg)') : bg;
    if (color) segment.color = color;
    if (background) segment.background = background;
    if (decorations.has('bold')) segment.bold = true;
    if (decorations.has('italic')) segment.italic = true;
    if (decorations.has('underline')) segment.underline = true;
    if (decorations.has('dim')) segment.dim = true;
    return segment;
  });
}

function visible(text: string): string {
  return text.replace(CONTROL, (c) => (c === '\x1b' ? '␛' : String.fromCharCode(0x2400 + (c === '\x7f' ? 0x21 : c.charCodeAt(0)))));
}
