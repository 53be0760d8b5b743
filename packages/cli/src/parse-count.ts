import { CliError } from './cli-error.js';

/** The most items the API lists in one answer. */
const API_LIST_MAXIMUM = 1000;

/** `--count 20`: how many items a listing shows. */
export function parseCount(text: string, flag = '--count'): number {
  if (!/^[1-9][0-9]*$/.test(text)) throw new CliError(`${flag} ${JSON.stringify(text)} is not a positive whole number`, `write e.g. ${flag} 20`);
  const count = Number(text);
  if (count > API_LIST_MAXIMUM) throw new CliError(`${flag} ${text} is more than the engine lists at once`, `ask for at most ${API_LIST_MAXIMUM}; --json output can be paged with jq`);
  return count;
}
