import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './server-binaries.js';

export interface RunningGitServer {
  /** The URL of `<name>.git` under the served directory. */
  url(name: string): string;
  close(): Promise<void>;
}

/** `git daemon` on 127.0.0.1 (port 0, so nothing to guess or wait for), push enabled. */
export async function startGitDaemon(baseDir: string): Promise<RunningGitServer> {
  const daemon = findBinary('git-daemon');
  if (!daemon) throw new Error('git-daemon not found');
  const inetd = await startInetd(daemon, ['--inetd', '--export-all', `--base-path=${baseDir}`, '--enable=receive-pack', '--informative-errors']);
  return { url: (name) => `git://127.0.0.1:${inetd.port}/${name}.git`, close: inetd.close };
}

/** A listener on 127.0.0.1, port 0, that hands each connection to a new `command` in inetd mode (the connection on stdin/stdout). */
async function startInetd(command: string, args: string[]): Promise<{ port: number; close(): Promise<void> }> {
  const children = new Set<ChildProcess>();
  const server = createTcpServer((socket) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    children.add(child);
    child.on('exit', () => {
      children.delete(child);
      socket.end();
    });
    socket.on('error', () => child.kill());
    child.stdin.on('error', () => socket.destroy());
    socket.pipe(child.stdin);
    child.stdout.pipe(socket);
  });
  const port = await listen(server);
  return {
    port,
    close: async () => {
      for (const child of children) child.kill();
      await closeServer(server);
    },
  };
}

export interface HttpGitServer extends RunningGitServer {
  /** Each request's Host header and who it authenticated as (`-` for no credentials, `!user` for a wrong password), in order. */
  readonly logins: Array<{ host: string; user: string }>;
}

export interface HttpGitServerOptions {
  /** Require these credentials (basic auth) for every request. */
  credentials?: { username: string; password: string };
  /** Runs just before each push is handed to git, e.g. to move the branch on under the pusher. */
  beforeReceivePack?: () => void;
}

/**
 * Smart HTTP: `git http-backend` as CGI behind a Node server on 127.0.0.1, port 0, with basic
 * auth when asked. Push is allowed for whoever authenticated.
 */
export async function startGitHttpServer(projectRoot: string, options: HttpGitServerOptions = {}): Promise<HttpGitServer> {
  const backend = findBinary('git-http-backend');
  if (!backend) throw new Error('git-http-backend not found');
  const logins: HttpGitServer['logins'] = [];
  const children = new Set<ChildProcess>();
  const server = createHttpServer((request, response) => {
    const user = authenticate(request, options.credentials);
    logins.push({ host: request.headers.host ?? '', user: (options.credentials && user) ?? loginAttempt(request) });
    if (user === undefined) {
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="weir test"', 'Content-Type': 'text/plain' }).end('authentication required\n');
      return;
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'POST' && url.pathname.endsWith('/git-receive-pack')) options.beforeReceivePack?.();
    const child = spawn(backend, [], {
      stdio: ['pipe', 'pipe', 'ignore'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        GIT_PROJECT_ROOT: projectRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
        REQUEST_METHOD: request.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: request.headers['content-type'] ?? '',
        REMOTE_USER: user,
        REMOTE_ADDR: '127.0.0.1',
        ...(request.headers['content-encoding'] && { HTTP_CONTENT_ENCODING: request.headers['content-encoding'] }),
        ...(request.headers['git-protocol'] && { GIT_PROTOCOL: String(request.headers['git-protocol']) }),
      },
    });
    children.add(child);
    child.on('exit', () => children.delete(child));
    child.stdin.on('error', () => {});
    request.pipe(child.stdin);
    relayCgiResponse(child, response);
  });
  const port = await listen(server);
  return {
    logins,
    url: (name) => `http://127.0.0.1:${port}/${name}.git`,
    close: async () => {
      for (const child of children) child.kill();
      server.closeAllConnections();
      await closeServer(server);
    },
  };
}

/** The authenticated user name ("anonymous" when no credentials are required), or undefined. */
function authenticate(request: IncomingMessage, credentials: HttpGitServerOptions['credentials']): string | undefined {
  if (!credentials) return 'anonymous';
  const given = basicAuth(request);
  return given && given.username === credentials.username && given.password === credentials.password ? given.username : undefined;
}

function loginAttempt(request: IncomingMessage): string {
  const given = basicAuth(request);
  return given ? `!${given.username}` : '-';
}

function basicAuth(request: IncomingMessage): { username: string; password: string } | undefined {
  const header = request.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  return separator < 0 ? undefined : { username: decoded.slice(0, separator), password: decoded.slice(separator + 1) };
}

/** A CGI answer is headers (with `Status:` for the code), a blank line, then the body. */
function relayCgiResponse(child: ChildProcess, response: ServerResponse): void {
  let head = Buffer.alloc(0);
  let headersSent = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    if (headersSent) {
      response.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const separator = line.indexOf(':');
      const name = line.slice(0, separator).trim();
      const value = line.slice(separator + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else response.setHeader(name, value);
    }
    response.writeHead(status);
    headersSent = true;
    response.write(head.subarray(end + 4));
  });
  child.on('close', () => {
    if (!headersSent) response.writeHead(502);
    response.end();
  });
}

function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server | ReturnType<typeof createHttpServer>): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface SshGitServer extends RunningGitServer {
  /** The private key (OpenSSH format) sshd accepts. */
  clientKey: string;
  /** A key sshd does not know. */
  strangerKey: string;
}

/**
 * OpenSSH's sshd on 127.0.0.1, port 0, serving the repositories under `root` by absolute path to
 * the current user, who logs in with `clientKey`. As with the daemon, each connection goes to
 * `sshd -i` (inetd mode), with a config and keys made for the test.
 */
export async function startSshServer(root: string, keysDir: string): Promise<SshGitServer> {
  const sshd = findBinary('sshd');
  const keygen = findBinary('ssh-keygen');
  if (!sshd || !keygen) throw new Error('sshd or ssh-keygen not found');
  const makeKey = (name: string) => {
    execFileSync(keygen, ['-q', '-t', 'ed25519', '-N', '', '-C', `weir-test-${name}`, '-f', join(keysDir, name)]);
    return join(keysDir, name);
  };
  const hostKey = makeKey('host_key');
  const clientKey = makeKey('client_key');
  const strangerKey = makeKey('stranger_key');
  copyFileSync(`${clientKey}.pub`, join(keysDir, 'authorized_keys'));
  const config = join(keysDir, 'sshd_config');
  writeFileSync(
    config,
    [`HostKey ${hostKey}`, `AuthorizedKeysFile ${join(keysDir, 'authorized_keys')}`, 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', 'PidFile none', 'LogLevel ERROR', ''].join('\n'),
  );
  // sshd running as root insists on its privilege separation directory, which its service unit would create.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const inetd = await startInetd(sshd, ['-i', '-e', '-f', config]);
  const user = userInfo().username;
  return {
    clientKey: readFileSync(clientKey, 'utf8'),
    strangerKey: readFileSync(strangerKey, 'utf8'),
    url: (name) => `ssh://${user}@127.0.0.1:${inetd.port}${join(root, `${name}.git`)}`,
    close: inetd.close,
  };
}
