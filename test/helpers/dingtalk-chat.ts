import type { OrgFile } from '../../src/config/org-file';
import { buttonAction, cardCallback, decodeAction, robotMessage, TOPIC_CARD, TOPIC_ROBOT } from './dingtalk-deliveries';
import { type FakeDingtalk, startFakeDingtalk } from './fake-dingtalk';
import { freePort } from './free-port';
import { createTestHandoff, demoOrg } from './handoff';

export const dingIdOf = (user: string) => `ding_${user.replace('.', '_')}`;

/** Adds DingTalk ids to the given org's users (all of them, or only `only`). */
export function withDingtalkIds(org: OrgFile, only?: string[]): OrgFile {
  for (const u of org.users) if (!only || only.includes(u.id)) u.dingtalk = dingIdOf(u.id);
  return org;
}

/** Drives the bot as DingTalk users over the real dingtalk-stream client and the fake gateway. */
export class DingtalkChat {
  constructor(
    readonly fake: FakeDingtalk,
    readonly flush: () => Promise<void>,
  ) {}

  async say(user: string, text: string) {
    const ack = await this.fake.push(TOPIC_ROBOT, robotMessage({ staffId: dingIdOf(user), text: ` ${text}` }));
    await this.flush();
    return ack;
  }

  /** Each card delivered to the user, with its current params (updates applied). */
  cards(user: string) {
    return this.fake.cardsTo(dingIdOf(user));
  }

  buttons(user: string): string[] {
    const params = this.cards(user).at(-1)?.params ?? {};
    return buttonSlots(params)
      .filter((b) => b.enabled)
      .map((b) => b.label);
  }

  body(user: string): string {
    return this.cards(user).at(-1)?.params.body ?? '';
  }

  texts(user: string): string[] {
    return this.fake.textsTo(dingIdOf(user)).map((m) => JSON.stringify(m.msgParam));
  }

  /** Waits for a one-to-one text containing `needle` (click results arrive as messages after the ack). */
  waitForText(user: string, needle: string): Promise<string> {
    return this.fake.waitFor(() => this.texts(user).find((t) => t.includes(needle)));
  }

  /** The bot's clock (HTTP card callbacks are signed at this time). */
  now: () => number = () => Date.now();

  /** Clicks over Stream, or — for a card created with HTTP callbacks — as a signed POST to the registered URL. */
  async click(user: string, label: string, form: Record<string, string> = {}) {
    const { card, payload } = this.clickPayload(user, label, form);
    if (card.body.callbackType === 'HTTP') {
      const res = await this.fake.postCardCallback(card.outTrackId, payload, this.now());
      await this.flush();
      return { code: res.status, headers: {}, message: '', data: { response: await res.json() } };
    }
    const ack = await this.fake.push(TOPIC_CARD, payload);
    await this.flush();
    return ack;
  }

  /** The latest card of `user` with an enabled `label` button, and the callback payload a click on it sends. */
  clickPayload(user: string, label: string, form: Record<string, string> = {}) {
    const card = [...this.cards(user)]
      .reverse()
      .find((c) => buttonSlots(c.params).some((b) => b.enabled && b.label === label));
    const button = card && buttonSlots(card.params).find((b) => b.enabled && b.label === label);
    if (!card || !button) throw new Error(`${user} has no DingTalk card with a "${label}" button`);
    const { a, f } = decodeAction(button.action);
    const params: Record<string, string> = {};
    for (const [slot, field] of Object.entries(f ?? {})) params[slot] = form[field] ?? '';
    const payload = cardCallback({
      userId: dingIdOf(user),
      outTrackId: card.outTrackId,
      action: buttonAction(a, f),
      params,
    });
    return { card, payload };
  }
}

function buttonSlots(params: Record<string, string>) {
  const out: { label: string; action: string; enabled: boolean }[] = [];
  for (let k = 1; k <= 10; k++) {
    if (params[`btn${k}_show`] !== 'true') continue;
    out.push({
      label: params[`btn${k}_text`] ?? '',
      action: params[`btn${k}_action`] ?? '',
      enabled: params[`btn${k}_disabled`] !== 'true',
    });
  }
  return out;
}

export const CARD_CALLBACK_SECRET = 'card-callback-api-secret';

/**
 * The bot on the fake DingTalk: robot messages over Stream; card clicks over Stream, or with `cardCallbacks: 'http'`
 * over HTTP (route key + apiSecret, the callback URL registered by the bot at start-up).
 */
export async function startDingtalkHandoff(opts: { org?: OrgFile; cardCallbacks?: 'stream' | 'http' } = {}) {
  const app = { clientId: `ding${Math.random().toString(16).slice(2, 10)}`, clientSecret: 'ding-secret' };
  const fake = await startFakeDingtalk(app);
  const http = opts.cardCallbacks === 'http';
  const port = http ? await freePort() : 0;
  const h = createTestHandoff({
    org: opts.org ?? withDingtalkIds(demoOrg()),
    localUi: false,
    port,
    dingtalk: {
      ...app,
      robotCode: 'dingrobot',
      cardTemplateId: 'tpl.schema',
      baseUrl: fake.baseUrl,
      mode: 'stream',
      cardCallbackRouteKey: http ? 'handoff-cards' : undefined,
      ...(http
        ? { cardCallbackSecret: CARD_CALLBACK_SECRET, cardCallbackUrl: `http://127.0.0.1:${port}/dingtalk/cards` }
        : {}),
    },
  });
  await h.listen();
  await fake.connected();
  const chat = new DingtalkChat(fake, () => h.flush());
  chat.now = () => h.clock.now().getTime();
  return {
    h,
    fake,
    chat,
    async stop() {
      await h.stop();
      await fake.close();
    },
  };
}
