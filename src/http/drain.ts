import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Graceful close of the HTTP server: stop accepting connections, let the requests already being handled finish
 * (a webhook delivery is acked only after its transaction commits), then cut what is left — the simulator's
 * server-sent-event streams, which never end on their own, and anything still running after the grace period.
 */
export function trackRequests(server: Server) {
  const open = new Set<ServerResponse>();
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    open.add(res);
    res.once('close', () => open.delete(res));
  });
  const busy = () =>
    [...open].filter((res) => !String(res.getHeader('content-type') ?? '').startsWith('text/event-stream')).length;
  return {
    /** Requests in flight, event streams excluded. */
    busy,
    /** Resolves true when every request finished within `graceMs`, false when some had to be cut. */
    async close(graceMs: number): Promise<boolean> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (busy() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const clean = busy() === 0;
      server.closeAllConnections();
      await closed;
      return clean;
    },
  };
}
