/**
 * A fake Feishu long-connection gateway for the SDK's WSClient (feishu.md §6): `POST /callback/ws/endpoint` returns
 * a ws:// URL on the same server; frames are protobuf `pbbp2.Frame` (encoded here with protobufjs reflection).
 * `push(envelope)` sends one event frame and resolves with the decoded ACK payload the client sends back.
 *
 * `ws` and `protobufjs` are transitive dependencies of @larksuiteoapi/node-sdk; `ws` ships no types, so it is
 * loaded through createRequire with the few members used here typed by hand.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import protobuf from 'protobufjs';
import { WebSocketServer, type WsSocket } from './ws-server';

const root = protobuf.Root.fromJSON({
  nested: {
    pbbp2: {
      nested: {
        Header: {
          fields: {
            key: { rule: 'required', type: 'string', id: 1 },
            value: { rule: 'required', type: 'string', id: 2 },
          },
        },
        Frame: {
          fields: {
            SeqID: { rule: 'required', type: 'uint64', id: 1 },
            LogID: { rule: 'required', type: 'uint64', id: 2 },
            service: { rule: 'required', type: 'int32', id: 3 },
            method: { rule: 'required', type: 'int32', id: 4 },
            headers: { rule: 'repeated', type: 'Header', id: 5 },
            payloadEncoding: { type: 'string', id: 6 },
            payloadType: { type: 'string', id: 7 },
            payload: { type: 'bytes', id: 8 },
            LogIDNew: { type: 'string', id: 9 },
          },
        },
      },
    },
  },
});
const Frame = root.lookupType('pbbp2.Frame');

interface DecodedFrame {
  method: number;
  headers: { key: string; value: string }[];
  payload?: Uint8Array;
}

export interface WsAck {
  code: number;
  /** `data` base64-decoded and JSON-parsed (the handler's return value), if any. */
  data?: unknown;
}

export interface FakeFeishuWs {
  readonly baseUrl: string;
  readonly endpointRequests: unknown[];
  /** Resolves when the client has opened its socket. */
  connected(): Promise<void>;
  push(envelope: unknown): Promise<WsAck>;
  close(): Promise<void>;
}

const SERVICE_ID = 7;

export async function startFakeFeishuWs(): Promise<FakeFeishuWs> {
  const wss = new WebSocketServer({ noServer: true });
  const endpointRequests: unknown[] = [];
  const pending = new Map<string, (ack: WsAck) => void>();
  let socket: WsSocket | undefined;
  let onConnect: (() => void) | undefined;
  const connectedP = new Promise<void>((resolve) => {
    onConnect = resolve;
  });
  let seq = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      endpointRequests.push(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      const { port } = server.address() as AddressInfo;
      const body = {
        code: 0,
        msg: 'ok',
        data: {
          URL: `ws://127.0.0.1:${port}/ws?device_id=dev1&service_id=${SERVICE_ID}`,
          ClientConfig: { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30 },
        },
      };
      res.writeHead(req.url === '/callback/ws/endpoint' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  server.on('upgrade', (req: IncomingMessage, sock: Duplex, head: Buffer) => {
    wss.handleUpgrade(req, sock, head, (ws) => {
      socket = ws;
      ws.on('message', (data) => {
        const frame = Frame.toObject(Frame.decode(data), { longs: Number, bytes: Uint8Array }) as DecodedFrame;
        const headers = Object.fromEntries(frame.headers.map((h) => [h.key, h.value]));
        const id = headers.message_id;
        if (frame.method !== 1 || !id) return; // pings and other control frames
        const ack = JSON.parse(Buffer.from(frame.payload ?? []).toString('utf8')) as { code: number; data?: string };
        const decoded: WsAck = { code: ack.code };
        if (ack.data) decoded.data = JSON.parse(Buffer.from(ack.data, 'base64').toString('utf8'));
        pending.get(id)?.(decoded);
        pending.delete(id);
      });
      onConnect?.();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    endpointRequests,
    connected: () => connectedP,
    push(envelope) {
      const ws = socket;
      if (!ws) return Promise.reject(new Error('no client connected'));
      const id = `msg_${++seq}`;
      const frame = Frame.create({
        SeqID: seq,
        LogID: seq,
        service: SERVICE_ID,
        method: 1,
        headers: [
          { key: 'type', value: 'event' },
          { key: 'message_id', value: id },
          { key: 'sum', value: '1' },
          { key: 'seq', value: '0' },
          { key: 'trace_id', value: `trace_${seq}` },
        ],
        payload: Buffer.from(JSON.stringify(envelope), 'utf8'),
      });
      return new Promise<WsAck>((resolve) => {
        pending.set(id, resolve);
        ws.send(Frame.encode(frame).finish());
      });
    },
    async close() {
      socket?.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
