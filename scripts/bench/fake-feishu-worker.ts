/**
 * The fake Feishu of the outbox scenarios, in a worker thread: its own event loop stamps arrivals as a remote
 * platform would. In the bench's own thread every pause of the product (a GC, a busy tick) also held back the
 * fake's reading of requests already sent, so they "arrived" together and counted against a window they had
 * left: 429s the real platform would not give. Answers `rateLimited`, `messagesTo` and `arrival` requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type FakeFeishuOptions, startFakeFeishu } from '../../test/helpers/fake-feishu';

export interface FakeWorkerData {
  app: { appId: string; appSecret: string };
  opts: FakeFeishuOptions;
}

export type FakeWorkerRequest =
  | { id: number; op: 'rateLimited' }
  | { id: number; op: 'messagesTo'; to: string }
  /** Resolves with the absolute time (ms since the epoch, sub-ms) the first message to `to` was seen. */
  | { id: number; op: 'arrival'; to: string }
  | { id: number; op: 'close' };

const port = parentPort;
if (!port) throw new Error('fake-feishu-worker runs in a worker thread');
const { app, opts } = workerData as FakeWorkerData;
const fake = await startFakeFeishu(app, opts);
const now = () => performance.timeOrigin + performance.now();

port.on('message', (req: FakeWorkerRequest) => {
  const answer = (result: unknown) => port.postMessage({ id: req.id, result });
  if (req.op === 'rateLimited') answer(fake.rateLimited());
  else if (req.op === 'messagesTo') answer(fake.messagesTo(req.to));
  else if (req.op === 'arrival') {
    const poll = () => (fake.messagesTo(req.to).length > 0 ? answer(now()) : setTimeout(poll, 1));
    poll();
  } else void fake.close().then(() => answer(null));
});
port.postMessage({ ready: fake.baseUrl });
