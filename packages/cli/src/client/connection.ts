import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../cli-error.js';

export const DEFAULT_ENGINE_URL = 'http://127.0.0.1:8080';
export const DEFAULT_DATA_DIR = '.weir';

/** `--url` and `--data`, as every command that talks to an engine takes them. */
export interface ConnectionOptions {
  url?: string;
  data?: string;
}

/** Where the engine is and where the token for changing things comes from. */
export interface Connection {
  /** The engine's base URL, without a trailing slash. */
  url: string;
  token: TokenSource;
}

export interface TokenSource {
  /** Where the token is read from, for messages: the WEIR_TOKEN variable or the token file's path. */
  origin: string;
  fromEnvironment: boolean;
  read(): Promise<string>;
}

/** `--url`, else WEIR_URL, else the default; the token from WEIR_TOKEN, else `<data dir>/token`. */
export function resolveConnection(options: ConnectionOptions, env: Readonly<Record<string, string | undefined>>): Connection {
  const url = options.url ?? nonEmpty(env.WEIR_URL) ?? DEFAULT_ENGINE_URL;
  return { url: checkUrl(url, options.url !== undefined ? '--url' : 'WEIR_URL'), token: tokenSource(options, env) };
}

function checkUrl(text: string, from: string): string {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new CliError(`${from} ${JSON.stringify(text)} is not a URL`, `write it with its scheme, e.g. ${DEFAULT_ENGINE_URL}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CliError(`${from} ${JSON.stringify(text)} is not an http or https URL`, `write it like ${DEFAULT_ENGINE_URL}`);
  }
  return text.replace(/\/+$/, '');
}

function tokenSource(options: ConnectionOptions, env: Readonly<Record<string, string | undefined>>): TokenSource {
  const fromEnv = nonEmpty(env.WEIR_TOKEN);
  if (fromEnv !== undefined) return { origin: 'the WEIR_TOKEN environment variable', fromEnvironment: true, read: async () => fromEnv };
  const dataDir = options.data ?? nonEmpty(env.WEIR_DATA) ?? DEFAULT_DATA_DIR;
  const file = join(dataDir, 'token');
  return {
    origin: file,
    fromEnvironment: false,
    read: async () => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (cause) {
        const code = (cause as NodeJS.ErrnoException).code;
        throw new CliError(
          `cannot read the engine's token from ${file} (${code === 'ENOENT' ? 'no such file' : (code ?? (cause as Error).message)})`,
          'changing things needs the token `weir up` writes into its data directory: run weir in the folder where the engine runs, pass --data DIR, or set WEIR_TOKEN',
        );
      }
      const token = text.trim();
      if (token === '') throw new CliError(`the token file ${file} is empty`, 'restart the engine with `weir up` to write a new one, or set WEIR_TOKEN');
      return token;
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
