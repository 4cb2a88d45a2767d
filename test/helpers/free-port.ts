import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now (for a spawned server that must be told its port). */
export async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => ok(typeof a === 'object' && a ? a.port : 0));
    });
  });
}
