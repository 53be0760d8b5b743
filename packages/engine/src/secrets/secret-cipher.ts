import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SealedSecret } from '../store/secret-store.js';

/** A 256-bit key and its id (a digest prefix), stored beside each secret it seals. */
export interface SecretKey {
  id: string;
  bytes: Buffer;
}

export function secretKey(bytes: Buffer): SecretKey {
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 16), bytes };
}

/**
 * AES-256-GCM with a fresh 96-bit nonce per value. The slot (team, pipeline, name) is the
 * additional data, so a sealed value copied to another slot in the database does not open.
 */
export function seal(key: SecretKey, plaintext: string, slot: string): SealedSecret {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.bytes, nonce);
  cipher.setAAD(Buffer.from(slot));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { keyId: key.id, nonce, ciphertext, tag: cipher.getAuthTag() };
}

/** Throws if the key is wrong or the value was changed: GCM authenticates what it decrypts. */
export function open(key: SecretKey, sealed: SealedSecret, slot: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key.bytes, sealed.nonce);
  decipher.setAAD(Buffer.from(slot));
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
}

export function newKeyBytes(): Buffer {
  return randomBytes(32);
}
