import { CliError } from '../cli-error.js';
import type { ApiBuildStatus } from '../client/api-types.js';
import type { Palette } from './palette.js';

/** `weir watch` and `trigger-job -w` exit with the build's outcome, so scripts can branch on it. */
export function exitStatusForBuild(status: ApiBuildStatus): number {
  switch (status) {
    case 'succeeded':
      return 0;
    case 'failed':
      return 1;
    case 'errored':
      return 2;
    case 'aborted':
      return 3;
    case 'pending':
    case 'started':
      throw new CliError(`the build is still ${status}, it has no outcome yet`, 'watch it again to wait for it to finish');
    default: {
      const unknown: never = status;
      throw new CliError(`the engine reports a build status weir does not know: ${JSON.stringify(unknown)}`, 'update the weir CLI to the engine\'s version');
    }
  }
}

export function paintBuildStatus(status: ApiBuildStatus | string, paint: Palette): string {
  switch (status) {
    case 'succeeded':
      return paint.green(status);
    case 'failed':
      return paint.red(status);
    case 'errored':
      return paint.magenta(status);
    case 'aborted':
      return paint.yellow(status);
    case 'started':
      return paint.cyan(status);
    default:
      return status;
  }
}
