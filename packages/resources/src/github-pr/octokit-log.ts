import type { ResourceLogger } from '../interface.js';

/** `GET /repos/o/r/pulls - 304 with id ABC in 12ms`: how Octokit's request log reports an answer. */
const REQUEST_LINE = /^[A-Z]+ \S+ - (\d{3}|undefined) with id \S+ in \d+ms$/;

/**
 * Octokit's log, at levels that mean what they say. Octokit's request log calls every non-2xx
 * answer an error, including the 304 Not Modified that each conditional request hopes for, and
 * the 404 of a pull request that is gone. Weir turns the answers it cannot use into resource
 * errors, which the check or the build reports; the raw request line is a detail for debugging.
 * Octokit's second argument (the request's options, headers and token included) is never logged.
 */
export function octokitLog(logger: ResourceLogger): { debug(message: string): void; info(message: string): void; warn(message: string): void; error(message: string): void } {
  const request = (message: string) => {
    const status = REQUEST_LINE.exec(message)?.[1];
    return status === undefined ? undefined : { octokit: message, ...(status !== 'undefined' && { status: Number(status) }) };
  };
  return {
    debug: (message) => logger.debug({ octokit: message }),
    info: (message) => logger.debug(request(message) ?? { octokit: message }),
    warn: (message) => logger.warn({ octokit: message }),
    error: (message) => {
      const line = request(message);
      if (line) logger.debug(line);
      else logger.error({ octokit: message });
    },
  };
}
