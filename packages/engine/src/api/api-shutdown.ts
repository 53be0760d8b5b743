import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** How long answers in flight may take once the server closes. */
const CLOSE_GRACE_MS = 5000;

export interface ApiShutdown {
  /** Aborted when the server starts closing: event streams end on it, as they would not on their own. */
  signal: AbortSignal;
  close(): Promise<void>;
}

/**
 * Closing so that nothing holds it up. Node counts a connection that has not sent a request
 * yet (clients open some ahead of time) as busy, and waits for it; those are dropped at once,
 * and anything still open after a grace period is cut.
 */
export function prepareShutdown(app: FastifyInstance): ApiShutdown {
  const sockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const closing = new AbortController();
  app.addHook('preClose', async () => {
    closing.abort();
    for (const socket of sockets) {
      if (socket.bytesRead === 0) socket.destroy();
    }
  });
  return {
    signal: closing.signal,
    async close() {
      const cut = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
      try {
        await app.close();
      } finally {
        clearTimeout(cut);
      }
    },
  };
}
