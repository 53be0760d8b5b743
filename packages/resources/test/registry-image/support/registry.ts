import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RegistryAuthConfig {
  htpasswd?: { path: string };
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
}

export interface RegistryOptions {
  tls?: { certFile: string; keyFile: string };
  auth?: RegistryAuthConfig;
}

export interface RunningRegistry {
  /** 127.0.0.1:port */
  host: string;
  /** Where the registry stores blobs and manifests (the filesystem driver's root). */
  storage: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 15_000;

/** A free TCP port on 127.0.0.1, found by letting the kernel pick one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Debian's `docker-registry` on 127.0.0.1 with storage in a temp dir and delete enabled. */
export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'weir-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = {
    version: 0.1,
    log: { level: 'error', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: join(dir, 'data') }, delete: { enabled: true }, maintenance: { uploadpurging: { enabled: false } } },
    http: { addr: host, ...(options.tls && { tls: { certificate: options.tls.certFile, key: options.tls.keyFile } }) },
    ...(options.auth?.htpasswd && { auth: { htpasswd: { realm: 'weir-test', path: options.auth.htpasswd.path } } }),
    ...(options.auth?.token && {
      auth: { token: { realm: options.auth.token.realm, service: options.auth.token.service, issuer: options.auth.token.issuer, rootcertbundle: options.auth.token.rootCertBundle } },
    }),
  };
  // JSON is YAML, and needs no YAML writer.
  writeFileSync(join(dir, 'config.yml'), JSON.stringify(config));
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  try {
    await waitUntilServing(child, host, options.tls !== undefined, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host,
    storage: join(dir, 'data'),
    stop: async () => {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilServing(child: ChildProcess, host: string, tls: boolean, stderr: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${stderr()}`);
    if (await answers(host, tls)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`docker-registry did not answer on ${host} within ${START_TIMEOUT_MS / 1000} s: ${stderr()}`);
}

function answers(host: string, tls: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const url = `${tls ? 'https' : 'http'}://${host}/v2/`;
    const onResponse = (response: { resume(): void }): void => {
      response.resume();
      resolve(true);
    };
    const req = tls ? request(url, { rejectUnauthorized: false }, onResponse) : get(url, onResponse);
    req.on('error', () => resolve(false));
    req.end();
  });
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
