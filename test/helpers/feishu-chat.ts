import type { FeishuConfig } from '../../src/config/env';
import type { OrgFile } from '../../src/config/org-file';
import { mountLocalUi } from '../../src/http/routes/local';
import type { FakeClock } from './fake-clock';
import { type FakeFeishu, startFakeFeishu } from './fake-feishu';
import { cardActionEvent, type Delivery, signAndEncrypt, textMessageEvent } from './feishu-deliveries';
import { createTestHandoff, demoOrg } from './handoff';

export const ENCRYPT_KEY = 'handoff-test-encrypt-key';
export const VERIFICATION_TOKEN = 'handoff-test-verification-token';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every button in a rendered Feishu card 2.0 JSON: its text, callback value, name and the form it submits. */
export function feishuButtons(card: unknown): { label: string; value: unknown; name?: string; disabled: boolean }[] {
  const out: { label: string; value: unknown; name?: string; disabled: boolean }[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!isObj(node)) return;
    if (node.tag === 'button') {
      const text = isObj(node.text) ? String(node.text.content) : '';
      const behaviors = Array.isArray(node.behaviors) ? node.behaviors : [];
      const cb = behaviors.find((b) => isObj(b) && b.type === 'callback');
      out.push({
        label: text,
        value: isObj(cb) ? cb.value : undefined,
        ...(typeof node.name === 'string' ? { name: node.name } : {}),
        disabled: node.disabled === true,
      });
    }
    for (const v of Object.values(node)) walk(v);
  };
  walk(card);
  return out;
}

/** All text in a rendered card (markdown and plain_text contents). */
export function feishuCardText(card: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!isObj(node)) return;
    if (typeof node.content === 'string') parts.push(node.content);
    for (const v of Object.values(node)) walk(v);
  };
  walk(card);
  return parts.join('\n');
}

/** The demo org with a Feishu open_id (ou_<id>) for every user; p2p chat ids are oc_<id>. */
export function feishuOrg(): OrgFile {
  const org = demoOrg();
  for (const u of org.users) u.feishu = openIdOf(u.id);
  org.chats = { handover_news: { feishu: 'oc_news' } };
  return org;
}
export const openIdOf = (user: string) => `ou_${user.replace('.', '_')}`;
export const chatIdOf = (user: string) => `oc_${user.replace('.', '_')}`;

/** Drives the bot as Feishu users: deliveries signed and encrypted as Feishu does, POSTed over real HTTP. */
export class FeishuChat {
  constructor(
    readonly fake: FakeFeishu,
    readonly url: string,
    readonly clock: FakeClock,
    readonly flush: () => Promise<void>,
  ) {}

  deliver(path: string, d: Delivery): Promise<Response> {
    return fetch(`${this.url}${path}`, { method: 'POST', headers: d.headers, body: d.body });
  }

  sign(envelope: Json, timestamp = Math.floor(this.clock.now().getTime() / 1000)): Delivery {
    return signAndEncrypt(envelope, { encryptKey: ENCRYPT_KEY, verificationToken: VERIFICATION_TOKEN, timestamp });
  }

  textEvent(user: string, text: string, eventId?: string): Json {
    return textMessageEvent({
      openId: openIdOf(user),
      chatId: chatIdOf(user),
      chatType: 'p2p',
      text,
      ...(eventId ? { eventId } : {}),
      createTime: this.clock.now().getTime(),
    });
  }

  async say(user: string, text: string): Promise<Response> {
    const res = await this.deliver('/feishu/events', this.sign(this.textEvent(user, text)));
    await this.flush();
    return res;
  }

  /**
   * Cards a click's callback response carried, by message: Feishu replaces the clicked card with it, as a PATCH
   * would. `after`: how many PATCHes the fake had received then (a later PATCH of the message replaces it again).
   */
  private readonly answered = new Map<string, { card: unknown; after: number }>();

  /**
   * The current content of every interactive message sent to the user or their p2p chat: the latest PATCH or
   * callback response applied.
   */
  cards(user: string): { messageId: string; card: unknown }[] {
    return this.fake.messages
      .filter(
        (m) => (m.receive_id === openIdOf(user) || m.receive_id === chatIdOf(user)) && m.msg_type === 'interactive',
      )
      .map((m) => {
        const patches = this.fake.updates.map((u, i) => ({ ...u, i })).filter((u) => u.messageId === m.messageId);
        const update = patches.at(-1);
        const inline = this.answered.get(m.messageId);
        if (inline && (!update || update.i < inline.after)) return { messageId: m.messageId, card: inline.card };
        return { messageId: m.messageId, card: update ? update.content : m.content };
      });
  }

  lastCard(user: string): unknown {
    return this.cards(user).at(-1)?.card;
  }

  texts(user: string): string[] {
    return this.fake.messages
      .filter((m) => (m.receive_id === openIdOf(user) || m.receive_id === chatIdOf(user)) && m.msg_type === 'text')
      .map((m) => (isObj(m.content) ? String(m.content.text) : ''));
  }

  lastText(user: string): string {
    return this.texts(user).at(-1) ?? '';
  }

  buttons(user: string): string[] {
    return feishuButtons(this.lastCard(user))
      .filter((b) => !b.disabled)
      .map((b) => b.label);
  }

  clickEvent(user: string, label: string, form?: Record<string, unknown>, eventId?: string): Json {
    const found = this.cards(user)
      .reverse()
      .map((c) => ({ ...c, button: feishuButtons(c.card).find((b) => b.label === label && !b.disabled) }))
      .find((c) => c.button);
    if (!found?.button) throw new Error(`${user} has no Feishu card with a "${label}" button`);
    return cardActionEvent({
      openId: openIdOf(user),
      messageId: found.messageId,
      chatId: chatIdOf(user),
      value: found.button.value,
      ...(found.button.name ? { name: found.button.name } : {}),
      ...(form ? { formValue: form } : {}),
      ...(eventId ? { eventId } : {}),
      createTime: this.clock.now().getTime(),
    });
  }

  /** Clicks and returns the callback response body (toast + inline card). */
  async click(user: string, label: string, form?: Record<string, unknown>): Promise<Json> {
    const event = this.clickEvent(user, label, form);
    const res = await this.deliver('/feishu/cards', this.sign(event));
    const body = (await res.json()) as Json;
    this.applyAnswer(event, body);
    await this.flush();
    return body;
  }

  /** What Feishu does with a callback response that carries a card: the clicked message shows it. */
  applyAnswer(event: Json, body: Json): void {
    const card = isObj(body.card) ? body.card.data : undefined;
    const ev = isObj(event.event) ? event.event : {};
    const messageId = isObj(ev.context) ? ev.context.open_message_id : undefined;
    if (card !== undefined && typeof messageId === 'string')
      this.answered.set(messageId, { card, after: this.fake.updates.length });
  }
}

/** Webhook mode against a fake Feishu, with the test encrypt key and verification token. */
export function feishuConfig(appId: string, fake: FakeFeishu, appSecret = 'secret'): FeishuConfig {
  return {
    appId,
    appSecret,
    verificationToken: VERIFICATION_TOKEN,
    encryptKey: ENCRYPT_KEY,
    baseUrl: fake.baseUrl,
    mode: 'webhook',
  };
}

/** The bot on the fake Feishu; `localUi: true` also runs the simulator beside it (LOCAL_UI=on, loopback bind). */
export async function startFeishuHandoff(opts: { org?: OrgFile; localUi?: boolean } = {}) {
  const appId = `cli_${Math.random().toString(16).slice(2, 10).padEnd(16, '0')}`;
  const fake = await startFakeFeishu({ appId, appSecret: 'secret' });
  const feishu = feishuConfig(appId, fake);
  const h = createTestHandoff({
    org: opts.org ?? feishuOrg(),
    feishu,
    localUi: opts.localUi ?? false,
    ...(opts.localUi ? { mounts: [mountLocalUi] } : {}),
  });
  const { url } = await h.listen();
  const chat = new FeishuChat(fake, url, h.clock, () => h.flush());
  return {
    h,
    fake,
    chat,
    url,
    async stop() {
      await h.stop();
      await fake.close();
    },
  };
}
