import { randomBytes } from 'node:crypto';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { WeirError } from '../errors.js';

/** The token file's name inside the data directory. */
export const API_TOKEN_FILE = 'token';

/** Permission bits that let anyone but the owner at the token. */
const SHARED_MODE_BITS = 0o077;

/**
 * The bearer token that mutations need: created at first start (32 random bytes, base64url,
 * mode 0600) and read on every start after, so the CLI can find it in the data directory.
 */
export async function ensureApiToken(dataDir: string): Promise<string> {
  const path = join(dataDir, API_TOKEN_FILE);
  const token = randomBytes(32).toString('base64url');
  let created: FileHandle;
  try {
    await mkdir(dataDir, { recursive: true });
    created = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw unusable(path, error);
    return readExistingToken(path);
  }
  try {
    await created.writeFile(`${token}\n`);
  } finally {
    await created.close();
  }
  return token;
}

async function readExistingToken(path: string): Promise<string> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (error) {
    throw unusable(path, error);
  }
  try {
    // Checked on the open file, so the mode is that of the file actually read.
    const { mode } = await file.stat();
    if ((mode & SHARED_MODE_BITS) !== 0) {
      throw new WeirError('token-file-insecure', `${path} can be read or written by other users (mode ${(mode & 0o777).toString(8)})`, {
        location: path,
        hint: `make it private with \`chmod 600 ${path}\`, or delete it so weir creates a new one`,
      });
    }
    const token = (await file.readFile('utf8')).trim();
    if (token === '') {
      throw new WeirError('token-file-empty', `${path} holds no token`, {
        location: path,
        hint: 'delete it so weir creates a new one at the next start',
      });
    }
    return token;
  } finally {
    await file.close();
  }
}

function unusable(path: string, error: unknown): WeirError {
  return new WeirError('token-file-unusable', `cannot use the API token file ${path}: ${(error as Error).message}`, {
    location: path,
    hint: 'check that the data directory is yours and writable, or choose another with --data',
    cause: error,
  });
}
