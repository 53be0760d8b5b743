/**
 * Characters no name may hold: C0 and C1 controls (NUL, escape, newline...), DEL, and the
 * Unicode marks that reorder or hide text (bidirectional overrides and isolates, line and
 * paragraph separators). A name with them breaks paths and process arguments, or shows a user
 * something other than what it is (`weir pipelines` in a terminal, a build page).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'gu');

export function hasUnsafeCharacters(text: string): boolean {
  return UNSAFE.test(text);
}

/** `text` with every unsafe character written as a `\u....` escape, for messages. */
export function showUnsafeCharacters(text: string): string {
  return text.replace(UNSAFE_ALL, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}
