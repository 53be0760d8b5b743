/**
 * Text the CLI prints carries what users wrote (names, versions, messages) and what their tasks
 * printed: untrusted text that must not drive the terminal. Escape sequences other than colors
 * and erasing a line could retitle the window, plant a link, move the cursor over earlier
 * output or hide text; text-direction marks show a name as something it is not. Kept: newline,
 * tab, carriage return (progress output redraws its line), SGR colors and erase-in-line.
 * Everything else that is a control or a text-direction mark is written as a visible `\u....`.
 */
const HARMLESS_SEQUENCE = /^\u001b\[[0-9;]*[mK]/;
const UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  UNSAFE.lastIndex = 0;
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE, (char, offset: number) => {
    if (char === '\u001b' && HARMLESS_SEQUENCE.test(text.slice(offset, offset + 32))) return char;
    return `\\u${char.codePointAt(0)!.toString(16).padStart(4, '0')}`;
  });
}
