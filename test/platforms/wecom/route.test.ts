import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../../src/http/app';
import { mountWecom } from '../../../src/http/routes/wecom';
import type { AckReply, InboundEvent } from '../../../src/platforms/types';
import { WecomAdapter } from '../../../src/platforms/wecom/adapter';
import { encodeButtonKey } from '../../../src/platforms/wecom/payloads';
import { silentLogger } from '../../../src/shared/logger';
import { FakeClock } from '../../helpers/fake-clock';
import { type FakeWecom, MapAdapterState, startFakeWecom } from '../../helpers/fake-wecom';
import {
  cardClickXml,
  type Delivery,
  encryptedDelivery,
  textMessageXml,
  verificationRequest,
} from '../../helpers/wecom-deliveries';

const APP = { corpId: 'wwcorp', secret: 's3cret', agentId: 1000002 };
const CB = { token: 'cbtoken', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', corpId: APP.corpId };
const clock = new FakeClock();
const nowS = () => Math.floor(clock.now().getTime() / 1000);

let fake: FakeWecom;
let server: Server;
let url: string;
const events: InboundEvent[] = [];
let adapter: WecomAdapter;

beforeAll(async () => {
  fake = await startFakeWecom(APP);
  adapter = new WecomAdapter({
    ...APP,
    token: CB.token,
    aesKey: CB.aesKey,
    baseUrl: fake.baseUrl,
    clock: () => clock.now(),
    logger: silentLogger,
    state: new MapAdapterState(() => clock.now()),
  });
  const handler = async (ev: InboundEvent): Promise<AckReply> => {
    events.push(ev);
    return ev.kind === 'cardAction' ? { toast: { type: 'error', text: '驳回必须填写原因' } } : {};
  };
  const app = createHttpApp({
    logger: silentLogger,
    health: () => ({}),
    mounts: [(r) => mountWecom(r, adapter, handler)],
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wecom/callback`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fake.close();
});

const good = () =>
  encryptedDelivery(CB, textMessageXml({ corpId: APP.corpId, from: 'zhangsan', content: '/help' }), {
    timestamp: nowS(),
  });
const postDelivery = (d: Delivery, body = d.body) =>
  fetch(`${url}${d.search}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });

describe('the /wecom/callback route on the Koa app', () => {
  it('answers URL verification with the plain decrypted echostr, fast', async () => {
    // An echostr with '+' (URL-encoded as %2B by WeCom) must reach the adapter intact.
    let d = verificationRequest(CB, '6381263817219381', { timestamp: nowS() });
    for (let i = 0; i < 100 && !d.query.echostr?.includes('+'); i++) {
      d = verificationRequest(CB, '6381263817219381', { timestamp: nowS() });
    }
    expect(d.search).toContain('%2B');
    await fetch(url.replace('/wecom/callback', '/healthz')); // warm up the HTTP client before timing
    const started = Date.now();
    const res = await fetch(`${url}${d.search}`);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('6381263817219381');
  });

  it('refuses a forged verification with 401', async () => {
    const d = verificationRequest(CB, 'x', { timestamp: nowS(), signature: 'a'.repeat(40) });
    expect((await fetch(`${url}${d.search}`)).status).toBe(401);
  });

  it('accepts an encrypted text message: 200 with an empty body, event handed to the pipeline', async () => {
    const d = encryptedDelivery(
      CB,
      textMessageXml({ corpId: APP.corpId, from: 'zhangsan', content: '/mine', msgId: 'm-1' }),
      {
        timestamp: nowS(),
      },
    );
    const res = await postDelivery(d);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(events.at(-1)).toMatchObject({ kind: 'message', eventId: 'm-1', text: '/mine' });
  });

  it('answers 401 for forged, stale or foreign deliveries and 400 for malformed ones, without calling the pipeline', async () => {
    const before = events.length;
    const xml = textMessageXml({ corpId: APP.corpId, from: 'zhangsan', content: '/help' });
    const good = encryptedDelivery(CB, xml, { timestamp: nowS() });
    const cases: [Delivery, string, number][] = [
      [encryptedDelivery(CB, xml, { timestamp: nowS(), signature: 'b'.repeat(40) }), '', 401],
      [encryptedDelivery(CB, xml, { timestamp: nowS() - 3600 }), '', 401],
      [encryptedDelivery(CB, xml, { timestamp: nowS(), receiveId: 'wwother' }), '', 401],
      [good, '<xml><Encrypt>', 400],
      [good, 'hello', 400],
    ];
    for (const [d, body, status] of cases) {
      const res = await postDelivery(d, body || d.body);
      expect(res.status).toBe(status);
    }
    expect(events.length).toBe(before);
  });

  it('answers 400 to signed XML with entity declarations or 50,000-deep nesting, without calling the pipeline', async () => {
    const before = events.length;
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">' +
      '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>' +
      `<xml><ToUserName><![CDATA[${APP.corpId}]]></ToUserName><FromUserName>zhangsan</FromUserName>` +
      '<MsgType>text</MsgType><Content>&c;</Content><MsgId>m-laugh</MsgId></xml>';
    const deep = `<xml><MsgType>text</MsgType>${'<a>'.repeat(50_000)}${'</a>'.repeat(50_000)}</xml>`;
    for (const xml of [laughs, deep]) {
      const res = await postDelivery(encryptedDelivery(CB, xml, { timestamp: nowS() }));
      expect(res.status).toBe(400);
    }
    // The outer envelope is read by the same parser: an unencrypted entity bomb is refused before any crypto.
    const res = await postDelivery(good(), laughs);
    expect(res.status).toBe(400);
    expect(events.length).toBe(before);
  });

  it('hands a card click to the pipeline, answers empty and leaves the toast text to the outbox', async () => {
    const eventKey = encodeButtonKey(0, { value: { v: 1, type: 'reject', regNo: 'HO-2026-0001' } }, null);
    const xml = cardClickXml({
      corpId: APP.corpId,
      from: 'lisi',
      eventKey,
      taskId: 'ho_x',
      responseCode: 'RC',
      createTime: nowS(),
    });
    const before = fake.messages.length;
    const res = await postDelivery(encryptedDelivery(CB, xml, { timestamp: nowS() }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(events.at(-1)).toMatchObject({ kind: 'cardAction', value: { type: 'reject' }, actor: { userId: 'lisi' } });
    expect(fake.messages.length).toBe(before);
    const reply: AckReply = { toast: { type: 'error', text: '驳回必须填写原因' } };
    expect(adapter.deferredAck(reply, events.at(-1) as InboundEvent)).toEqual({ text: '驳回必须填写原因' });
  });
});
