import { request as plainRequest, type IncomingMessage, type RequestOptions } from 'node:http';

/** An answer whose body has not been read yet. */
export interface HttpAnswer {
  status: number;
  statusText: string;
  /** The body as it arrives; reading it is up to the caller (or `text`). */
  body: IncomingMessage;
  text(): Promise<string>;
}

/**
 * Sends one request on a connection of its own, closed after the answer. The CLI asks the engine
 * once or twice and exits: Node's fetch would load undici (a good part of a command's start-up)
 * and keep the connection open afterwards, holding the process.
 */
export async function sendRequest(url: URL, method: string, headers: Record<string, string>, body?: string): Promise<HttpAnswer> {
  // TLS is loaded only for an engine behind https.
  const send = url.protocol === 'https:' ? (await import('node:https')).request : plainRequest;
  const options: RequestOptions = {
    method,
    agent: false,
    headers: { ...headers, ...(body !== undefined && { 'content-length': String(Buffer.byteLength(body)) }) },
  };
  return new Promise((resolve, reject) => {
    const request = send(url, options, (response) => {
      resolve({
        status: response.statusCode ?? 0,
        statusText: response.statusMessage ?? '',
        body: response,
        text: () => readText(response),
      });
    });
    request.once('error', reject);
    request.end(body);
  });
}

async function readText(body: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
