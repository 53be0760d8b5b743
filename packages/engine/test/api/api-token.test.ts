import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_TOKEN_FILE, ensureApiToken, WeirError } from '../../src/index.js';
import { tempDataDir } from '../support/engine.js';

describe('API token file', () => {
  it('is created private at first start and read after', async () => {
    const dir = tempDataDir();
    const token = await ensureApiToken(dir);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const path = join(dir, API_TOKEN_FILE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readFile(path, 'utf8')).trim()).toBe(token);
    expect(await ensureApiToken(dir)).toBe(token);
  });

  it('creates the data directory if needed', async () => {
    const dir = join(tempDataDir(), 'nested', '.weir');
    expect(await ensureApiToken(dir)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('refuses a token file others can read', async () => {
    const dir = tempDataDir();
    await ensureApiToken(dir);
    await chmod(join(dir, API_TOKEN_FILE), 0o644);
    const error = await ensureApiToken(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeirError);
    expect((error as WeirError).code).toBe('token-file-insecure');
  });

  it('refuses an empty token file', async () => {
    const dir = tempDataDir();
    await writeFile(join(dir, API_TOKEN_FILE), '\n', { mode: 0o600 });
    await expect(ensureApiToken(dir)).rejects.toMatchObject({ code: 'token-file-empty' });
  });
});
