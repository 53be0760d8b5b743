import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './tools.js';

export interface Certificate {
  certFile: string;
  keyFile: string;
  certPem: string;
}

/** A self-signed certificate for 127.0.0.1, made with openssl in `dir`. */
export function selfSignedCertificate(dir: string, name: string): Certificate {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile]);
  return { certFile, keyFile, certPem: readFileSync(certFile, 'utf8') };
}

const BCRYPT_SALT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * An htpasswd file. The registry accepts bcrypt only; perl's crypt(3) makes bcrypt hashes on
 * Debian (libxcrypt), and perl is part of every Debian system, so no package is needed.
 */
export function htpasswdFile(dir: string, users: Record<string, string>): string {
  const lines = Object.entries(users).map(([user, password]) => {
    const salt = Array.from(randomBytes(22), (byte) => BCRYPT_SALT_ALPHABET[byte % 64]).join('');
    const hash = run('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, `$2b$05$${salt}`]);
    if (!hash.startsWith('$2b$')) throw new Error('perl crypt made no bcrypt hash here; install apache2-utils for htpasswd');
    return `${user}:${hash}`;
  });
  const file = join(dir, 'htpasswd');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
