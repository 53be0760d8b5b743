import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/index.js';
import { BuiltinSecrets } from '../../src/secrets/builtin-secrets.js';
import { SecretKeyFile } from '../../src/secrets/secret-key-file.js';
import { tempDataDir } from '../support/engine.js';

function openSecrets(dir: string): { store: Store; secrets: BuiltinSecrets } {
  const store = Store.open({ dataDir: dir });
  return { store, secrets: new BuiltinSecrets(store.secrets, new SecretKeyFile(dir)) };
}

/** Every byte of every file under `dir`, for searching what is at rest. */
function bytesUnder(dir: string): Buffer {
  return Buffer.concat(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => readFileSync(join(entry.parentPath, entry.name))),
  );
}

describe("weir's secret store", () => {
  it('finds the pipeline\'s secret before the team\'s, and names both paths when neither exists', () => {
    const { store, secrets } = openSecrets(tempDataDir());
    try {
      secrets.set({ team: 'main', pipeline: '', name: 'db' }, { user: 'team-user', password: 'team-pass-123' });
      secrets.set({ team: 'main', pipeline: 'app', name: 'db' }, { user: 'app-user', password: 'app-pass-456' });
      expect(secrets.lookup('main', 'app', 'db').found).toEqual({ value: { user: 'app-user', password: 'app-pass-456' }, path: 'main/app/db' });
      expect(secrets.lookup('main', 'other', 'db').found).toEqual({ value: { user: 'team-user', password: 'team-pass-123' }, path: 'main/db' });
      expect(secrets.lookup('main', 'app', 'missing')).toEqual({ tried: ['main/app/missing', 'main/missing'] });
      expect(secrets.list('main', 'other').map((s) => s.name + ':' + s.pipeline)).toEqual(['db:']);
      expect(secrets.list('main', 'app').map((s) => s.name + ':' + s.pipeline)).toEqual(['db:', 'db:app']);
      expect(secrets.remove({ team: 'main', pipeline: 'app', name: 'db' })).toBe(true);
      expect(secrets.lookup('main', 'app', 'db').found?.path).toBe('main/db');
    } finally {
      store.close();
    }
  });

  it('keeps values encrypted with a key file of mode 0600 that it creates, and reads them after a restart', () => {
    const dir = tempDataDir();
    const first = openSecrets(dir);
    first.secrets.set({ team: 'main', pipeline: '', name: 'token' }, 'plain-text-token-9f8e7d');
    first.store.close();
    expect(statSync(join(dir, 'secrets.key')).mode & 0o777).toBe(0o600);
    expect(bytesUnder(dir).includes('plain-text-token-9f8e7d')).toBe(false);
    const again = openSecrets(dir);
    try {
      expect(again.secrets.get({ team: 'main', pipeline: '', name: 'token' })).toBe('plain-text-token-9f8e7d');
    } finally {
      again.store.close();
    }
  });

  it('rotates the key: a new key file, every secret re-encrypted and still readable, the old key useless', () => {
    const dir = tempDataDir();
    const { store, secrets } = openSecrets(dir);
    secrets.set({ team: 'main', pipeline: '', name: 'a' }, 'value-a-123');
    secrets.set({ team: 'main', pipeline: 'app', name: 'b' }, { field: 'value-b-456' });
    const oldKey = readFileSync(join(dir, 'secrets.key'), 'utf8');
    expect(secrets.rotateKey()).toBe(2);
    const newKey = readFileSync(join(dir, 'secrets.key'), 'utf8');
    expect(newKey).not.toBe(oldKey);
    expect(statSync(join(dir, 'secrets.key')).mode & 0o777).toBe(0o600);
    expect(secrets.get({ team: 'main', pipeline: 'app', name: 'b' })).toEqual({ field: 'value-b-456' });
    store.close();

    writeFileSync(join(dir, 'secrets.key'), oldKey);
    const withOldKey = openSecrets(dir);
    try {
      expect(() => withOldKey.secrets.get({ team: 'main', pipeline: '', name: 'a' })).toThrow(expect.objectContaining({ code: 'secret-key-missing' }));
    } finally {
      withOldKey.store.close();
    }
  });

  it('finishes a rotation that was cut short after re-encrypting, and drops one cut short before', () => {
    const dir = tempDataDir();
    const { store, secrets } = openSecrets(dir);
    secrets.set({ team: 'main', pipeline: '', name: 'a' }, 'value-a-123');
    store.close();
    // Cut short before re-encrypting: the next key is written, no secret uses it.
    writeFileSync(join(dir, 'secrets.key.next'), `${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o600 });
    const reopened = openSecrets(dir);
    try {
      expect(readdirSync(dir)).not.toContain('secrets.key.next');
      expect(reopened.secrets.get({ team: 'main', pipeline: '', name: 'a' })).toBe('value-a-123');
    } finally {
      reopened.store.close();
    }
  });

  it('refuses a sealed value moved to another secret\'s row', () => {
    const { store, secrets } = openSecrets(tempDataDir());
    try {
      secrets.set({ team: 'main', pipeline: '', name: 'a' }, 'value-a-123');
      secrets.set({ team: 'main', pipeline: '', name: 'b' }, 'value-b-456');
      const sealed = store.secrets.get({ team: 'main', pipeline: '', name: 'a' })!;
      store.secrets.put({ team: 'main', pipeline: '', name: 'b' }, sealed);
      expect(() => secrets.get({ team: 'main', pipeline: '', name: 'b' })).toThrow(expect.objectContaining({ code: 'secret-unreadable' }));
    } finally {
      store.close();
    }
  });
});
