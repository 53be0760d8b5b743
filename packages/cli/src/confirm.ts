import { CliError } from './cli-error.js';
import type { CliIo } from './io.js';

/**
 * Asks `question [yN]:` and resolves to whether the user said yes. Without a terminal to ask
 * on, refuses with the flag that skips the question, rather than waiting on stdin forever.
 */
export async function confirm(io: CliIo, question: string, refusal: string): Promise<boolean> {
  if (!io.ask) throw new CliError(`${refusal}: stdin is not a terminal, so weir cannot ask for a confirmation`, 'pass -n (--non-interactive) to go ahead without asking');
  const answer = await io.ask(`${question} [yN]: `);
  return /^\s*y(es)?\s*$/i.test(answer);
}
