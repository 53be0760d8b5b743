import { palette } from './render/palette.js';

/**
 * A failure the user can act on: printed as `error: <message>` and `  hint: <hint>`, then the
 * command exits with `exitStatus`. Anything else that escapes a command is a bug in weir.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitStatus = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function renderCliError(error: CliError, color: boolean): string {
  const paint = palette(color);
  const lines = [`${paint.red(paint.bold('error:'))} ${error.message}`];
  if (error.hint) lines.push(`  ${paint.cyan('hint:')} ${error.hint}`);
  return `${lines.join('\n')}\n`;
}
