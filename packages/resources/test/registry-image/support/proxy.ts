import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  /** Whether the client sent an Authorization header. */
  authorized: boolean;
}

export interface ProxyOptions {
  /** Answer blob GETs with a 307 to this origin (same path), as registries redirect to storage. */
  redirectBlobsTo?: string;
  /** Authorization to send upstream in place of the client's, as a presigned storage URL would carry. */
  upstreamAuthorization?: string;
}

export interface RunningProxy {
  origin: string;
  host: string;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

/** A recording HTTP proxy in front of a registry, keeping the client's Host so upload Locations point back at it. */
export async function startProxy(upstream: string, options: ProxyOptions = {}): Promise<RunningProxy> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const path = req.url ?? '/';
    requests.push({ method: req.method ?? 'GET', path, authorized: req.headers.authorization !== undefined });
    if (options.redirectBlobsTo && req.method === 'GET' && /\/blobs\/sha256:/.test(path)) {
      res.writeHead(307, { location: `${options.redirectBlobsTo}${path}` }).end();
      return;
    }
    const headers = { ...req.headers };
    if (options.upstreamAuthorization) headers.authorization = options.upstreamAuthorization;
    const [hostname, port] = upstream.split(':');
    const forwarded = request({ hostname, port, method: req.method, path, headers }, (upstreamResponse) => {
      res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
      upstreamResponse.pipe(res);
    });
    forwarded.on('error', () => res.writeHead(502).end());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
