import { describe, expect, it } from 'vitest';
import { cardEventId, normalizeCallback } from '../../../src/platforms/wecom/normalize';
import {
  decodeButtonKey,
  encodeButtonKey,
  type KeyStore,
  MAX_KEY_BYTES,
  NOOP_KEY,
  parseXml,
} from '../../../src/platforms/wecom/payloads';
import { MalformedPayloadError } from '../../../src/shared/errors';
import { cardClickXml, textMessageXml, WECOM_KAT } from '../../helpers/wecom-deliveries';

const CORP = 'wwcorp';
const opts = { agentId: '1000002', keys: null };

function mapStore(): KeyStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, get: (k) => map.get(k) ?? null, set: (k, v) => void map.set(k, v) };
}

describe('parseXml', () => {
  it('reads the official message plaintext (CDATA, numbers, newlines between elements)', () => {
    expect(parseXml(WECOM_KAT.message.plain)).toEqual({
      ToUserName: 'wx5823bf96d3bd56c7',
      FromUserName: 'mycreate',
      CreateTime: '1409659813',
      MsgType: 'text',
      Content: 'hello',
      MsgId: '4561255354251345929',
      AgentID: '218',
    });
  });

  it('decodes entities in character data, keeps CDATA verbatim, skips nested elements and the prolog', () => {
    const xml =
      '<?xml version="1.0" encoding="utf-8"?>\n<xml><A>a &lt;b&gt; &amp; &#x4e2d;&#25991;</A><B><![CDATA[<raw> &amp;]]></B>' +
      '<SelectedItems><SelectedItem><QuestionKey><![CDATA[q]]></QuestionKey></SelectedItem></SelectedItems><C/></xml>';
    expect(parseXml(xml)).toEqual({ A: 'a <b> & 中文', B: '<raw> &amp;', SelectedItems: '', C: '' });
  });

  it('refuses an element named __proto__ (prototype pollution) as malformed', () => {
    expect(() => parseXml('<xml><__proto__><![CDATA[x]]></__proto__><A>1</A></xml>')).toThrow(MalformedPayloadError);
  });

  it.each([
    ['an empty body', ''],
    ['JSON', '{"encrypt":"x"}'],
    ['another root', '<root><A>1</A></root>'],
    ['a DOCTYPE', '<!DOCTYPE xml [<!ENTITY x "y">]><xml><A>&x;</A></xml>'],
    ['an unterminated element', '<xml><A>1</xml>'],
    ['an unterminated CDATA', '<xml><A><![CDATA[1</A></xml>'],
    ['content after the root', '<xml></xml><xml></xml>'],
    ['deep nesting', `<xml>${'<a>'.repeat(20)}${'</a>'.repeat(20)}</xml>`],
    ['an entity declaration without DOCTYPE keyword case', '<!doctype xml><xml><A>1</A></xml>'],
    ['a mismatched end tag', '<xml><A>1</B></xml>'],
  ])('refuses %s', (_name, xml) => {
    expect(() => parseXml(xml)).toThrow(MalformedPayloadError);
  });
});

describe('button keys', () => {
  const value = { v: 1 as const, type: 'approve' as const, regNo: 'HO-2026-0001', round: 1, step: 2 };

  it('round-trips a value and a form through [a-z0-9_] keys', () => {
    const key = encodeButtonKey(3, { value, form: { outsourcing: 'yes' } }, null);
    expect(key).toMatch(/^hk3_[0-9a-f]+$/);
    expect(decodeButtonKey(key, null)).toEqual({ value, form: { outsourcing: 'yes' } });
    expect(decodeButtonKey(encodeButtonKey(0, { value }, null), null)).toEqual({ value });
  });

  it('hashes keys over 1024 bytes and keeps the payload in the store', () => {
    const store = mapStore();
    const long = { ...value, note: '很长的说明'.repeat(60) };
    const key = encodeButtonKey(1, { value: long }, store);
    expect(key).toMatch(/^hh1_[0-9a-f]{64}$/);
    expect(Buffer.byteLength(key)).toBeLessThanOrEqual(MAX_KEY_BYTES);
    expect(decodeButtonKey(key, store)).toEqual({ value: long });
    expect(decodeButtonKey(key, mapStore())).toBeNull();
    expect(() => encodeButtonKey(1, { value: long }, null)).toThrow(/key store/);
  });

  it('recognises the read-only placeholder and refuses foreign or forged keys', () => {
    expect(decodeButtonKey(NOOP_KEY, null)).toBe('noop');
    expect(decodeButtonKey('approve:123', null)).toBeNull();
    const notIntent = `hk0_${Buffer.from(JSON.stringify({ a: { type: 'x' } })).toString('hex')}`;
    expect(decodeButtonKey(notIntent, null)).toBeNull();
  });
});

describe('normalizeCallback', () => {
  it('turns a text message into a message event from the p2p chat', () => {
    const xml = textMessageXml({
      corpId: CORP,
      from: 'zhangsan',
      content: '  /approve   HO-2026-0001 \n 同意 ',
      msgId: 'CAIQg/PKxgYY2sC9tpuAgAMg9/zKaw==',
    });
    expect(normalizeCallback(parseXml(xml), opts)).toEqual({
      event: {
        kind: 'message',
        eventId: 'CAIQg/PKxgYY2sC9tpuAgAMg9/zKaw==',
        actor: { platform: 'wecom', userId: 'zhangsan' },
        chat: { chatId: 'dm:zhangsan', type: 'p2p' },
        messageId: 'CAIQg/PKxgYY2sC9tpuAgAMg9/zKaw==',
        text: '/approve HO-2026-0001\n同意',
      },
      responseCode: null,
    });
  });

  it('turns a card click into a cardAction with the decoded intent, and returns its response code', () => {
    const value = { v: 1 as const, type: 'approve' as const, regNo: 'HO-2026-0001' };
    const eventKey = encodeButtonKey(0, { value, form: { outsourcing: 'no' } }, null);
    const xml = cardClickXml({
      corpId: CORP,
      from: 'lisi',
      eventKey,
      taskId: 'ho_t1',
      responseCode: 'RC1',
      createTime: 1700000000,
    });
    expect(normalizeCallback(parseXml(xml), opts)).toEqual({
      event: {
        kind: 'cardAction',
        eventId: cardEventId('lisi', '1700000000', 'ho_t1', eventKey),
        actor: { platform: 'wecom', userId: 'lisi' },
        chat: { chatId: 'dm:lisi', type: 'p2p' },
        messageId: 'ho_t1',
        value,
        form: { outsourcing: 'no' },
      },
      responseCode: { taskId: 'ho_t1', code: 'RC1' },
    });
  });

  it('gives a redelivery the same event id, and different clicks different ids', () => {
    const id = cardEventId('lisi', '1700000000', 'ho_t1', 'hk0_aa');
    expect(cardEventId('lisi', '1700000000', 'ho_t1', 'hk0_aa')).toBe(id);
    expect(cardEventId('lisi', '1700000000', 'ho_t1', 'hk1_bb')).not.toBe(id);
    expect(cardEventId('lisi', '1700000000', 'ho_t2', 'hk0_aa')).not.toBe(id);
    expect(cardEventId('lisi', '1700000001', 'ho_t1', 'hk0_aa')).not.toBe(id);
  });

  it('ignores the read-only placeholder but keeps its response code; unknown keys give a null value', () => {
    const noop = cardClickXml({ corpId: CORP, from: 'u', eventKey: NOOP_KEY, taskId: 'ho_t', responseCode: 'RC9' });
    expect(normalizeCallback(parseXml(noop), opts)).toMatchObject({
      event: { kind: 'ignored' },
      responseCode: { taskId: 'ho_t', code: 'RC9' },
    });
    const foreign = cardClickXml({ corpId: CORP, from: 'u', eventKey: 'key111', taskId: 'ho_t' });
    expect(normalizeCallback(parseXml(foreign), opts)).toMatchObject({
      event: { kind: 'cardAction', value: null },
      responseCode: null,
    });
  });

  it.each([
    ['an image', '<xml><FromUserName>u</FromUserName><MsgType>image</MsgType><MsgId>1</MsgId></xml>'],
    ['enter_agent', '<xml><FromUserName>u</FromUserName><MsgType>event</MsgType><Event>enter_agent</Event></xml>'],
    ['another agent', textMessageXml({ corpId: CORP, from: 'u', content: '/help', agentId: 7 })],
  ])('ignores %s', (_name, xml) => {
    expect(normalizeCallback(parseXml(xml), opts).event.kind).toBe('ignored');
  });

  it.each([
    ['no MsgType', '<xml><FromUserName>u</FromUserName></xml>'],
    ['a text without MsgId', '<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>x</Content></xml>'],
    [
      'a click without TaskId',
      '<xml><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>template_card_event</Event><EventKey>k</EventKey></xml>',
    ],
  ])('refuses %s as malformed', (_name, xml) => {
    expect(() => normalizeCallback(parseXml(xml), opts)).toThrow(MalformedPayloadError);
  });
});
