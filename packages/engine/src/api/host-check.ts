import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { FastifyRequest } from 'fastify';
import { WeirError } from '../errors.js';

/** Addresses that mean "every interface": the API can then be reached by this machine's name. */
const EVERY_INTERFACE = new Set(['0.0.0.0', '::', '']);

/**
 * An `onRequest` hook against DNS rebinding: a web page on a name its author controls can
 * point that name at 127.0.0.1 and read the API from the user's browser, which sends the page's
 * name as `Host`. An address typed as an IP, `localhost`, the name weir listens on, this
 * machine's name when weir listens on every interface, and the host of `--external-url` are
 * names a browser only sends when the user meant this engine; any other name is refused.
 */
export function hostCheck(options: { listenHost: string; externalUrl: () => string | undefined }): (request: FastifyRequest) => Promise<void> {
  const fixed = new Set(['localhost']);
  const listenHost = options.listenHost.toLowerCase();
  if (isIP(listenHost) === 0) fixed.add(listenHost);
  if (EVERY_INTERFACE.has(listenHost)) fixed.add(hostname().toLowerCase());
  return async (request) => {
    const header = request.headers.host;
    if (header === undefined) return;
    const name = hostName(header);
    if (name === undefined || isIP(name) !== 0 || fixed.has(name) || name.endsWith('.localhost')) return;
    if (name === externalHost(options.externalUrl())) return;
    throw new WeirError('host-not-allowed', `this engine does not answer to the host name ${JSON.stringify(header)}`, {
      hint: 'reach it by its IP address or localhost; to use a DNS name (behind a proxy), start weir up with --external-url set to that name',
    });
  };
}

/** The name in a Host header, without its port and brackets, lowercased; undefined if it is malformed. */
function hostName(header: string): string | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\[\]]+))(?::\d+)?$/.exec(header.trim());
  const name = match?.[1] ?? match?.[2];
  return name?.toLowerCase().replace(/\.$/, '');
}

function externalHost(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}
