/**
 * The `ws` package (a dependency of the platform SDKs) ships no types: this gives the fake WebSocket servers the
 * few members they use, loaded once.
 */
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';

export interface WsSocket {
  send(data: string | Uint8Array): void;
  on(event: 'message', fn: (data: Buffer) => void): void;
  terminate(): void;
}
export interface WsServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: WsSocket) => void): void;
  close(): void;
}
export const { WebSocketServer } = createRequire(import.meta.url)('ws') as {
  WebSocketServer: new (opts: { noServer: true }) => WsServer;
};
