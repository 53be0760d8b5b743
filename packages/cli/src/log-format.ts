export type LogFormat = 'json' | 'pretty';

export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

export function isLogFormat(text: string): text is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(text);
}

/**
 * JSON lines for a file or a log collector; human lines for a person at a terminal. An explicit
 * `--log-format` wins, so `weir up | tee log` can still be read and a terminal can still get JSON.
 */
export function chooseLogFormat(requested: LogFormat | undefined, stdoutIsTerminal: boolean): LogFormat {
  return requested ?? (stdoutIsTerminal ? 'pretty' : 'json');
}
