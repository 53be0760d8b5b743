import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { WeirError } from '../errors.js';
import { newKeyBytes, secretKey, type SecretKey } from './secret-cipher.js';

export const SECRET_KEY_FILE = 'secrets.key';
const NEXT_KEY_FILE = 'secrets.key.next';

/**
 * The key that seals weir's secret store, in a file of its own (0600) beside the database, so a
 * copy of the database alone opens nothing. A rotation writes the next key to a second file
 * before re-sealing, and renames it over the first once every secret is re-sealed: a crash at
 * any point leaves every secret with a key on disk that opens it.
 */
export class SecretKeyFile {
  private current: SecretKey;
  private next: SecretKey | undefined;

  /** `dir` null: the keys live in memory only (an in-memory engine, for tests). */
  constructor(private readonly dir: string | null) {
    this.current = dir === null ? secretKey(newKeyBytes()) : readOrCreate(join(dir, SECRET_KEY_FILE));
    const nextPath = dir === null ? undefined : join(dir, NEXT_KEY_FILE);
    if (nextPath && existsSync(nextPath)) this.next = readKey(nextPath);
  }

  get sealing(): SecretKey {
    return this.current;
  }

  byId(id: string): SecretKey | undefined {
    if (this.current.id === id) return this.current;
    return this.next?.id === id ? this.next : undefined;
  }

  /** A rotation the engine did not finish: the next key, to be completed or dropped. */
  get pending(): SecretKey | undefined {
    return this.next;
  }

  beginRotation(): SecretKey {
    const key = secretKey(newKeyBytes());
    if (this.dir !== null) writeKey(join(this.dir, NEXT_KEY_FILE), key, 'w');
    this.next = key;
    return key;
  }

  finishRotation(): void {
    if (!this.next) return;
    if (this.dir !== null) renameSync(join(this.dir, NEXT_KEY_FILE), join(this.dir, SECRET_KEY_FILE));
    this.current = this.next;
    this.next = undefined;
  }

  /** No secret uses the next key: the rotation never re-sealed anything, and is dropped. */
  dropRotation(): void {
    if (this.dir !== null) rmSync(join(this.dir, NEXT_KEY_FILE), { force: true });
    this.next = undefined;
  }
}

function readOrCreate(path: string): SecretKey {
  if (existsSync(path)) return readKey(path);
  const key = secretKey(newKeyBytes());
  writeKey(path, key, 'wx');
  return key;
}

function readKey(path: string): SecretKey {
  const bytes = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (bytes.length !== 32) {
    throw new WeirError('secret-key-invalid', `${path} does not hold a 256-bit key (base64)`, {
      location: path,
      hint: 'restore the file from a backup: without it the secrets in weir\'s store cannot be read; delete it (and set the secrets again) only if they are lost anyway',
    });
  }
  return secretKey(bytes);
}

function writeKey(path: string, key: SecretKey, flag: 'w' | 'wx'): void {
  const fd = openSync(path, flag, 0o600);
  try {
    writeSync(fd, `${key.bytes.toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
