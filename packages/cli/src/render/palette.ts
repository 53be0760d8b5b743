/** ANSI styles that turn into plain text when color is off (not a terminal, or NO_COLOR). */
export interface Palette {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  magenta(text: string): string;
  cyan(text: string): string;
}

const style =
  (color: boolean, code: string) =>
  (text: string): string =>
    color && text !== '' ? `\u001b[${code}m${text}\u001b[0m` : text;

export function palette(color: boolean): Palette {
  return {
    bold: style(color, '1'),
    dim: style(color, '2'),
    red: style(color, '31'),
    green: style(color, '32'),
    yellow: style(color, '33'),
    magenta: style(color, '35'),
    cyan: style(color, '36'),
  };
}

const ANSI_STYLE = /\u001b\[[0-9;]*m/g;

/** The width a string takes on screen, ignoring color codes. */
export function visibleLength(text: string): number {
  return text.replace(ANSI_STYLE, '').length;
}
