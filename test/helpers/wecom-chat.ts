import type { OrgFile } from '../../src/config/org-file';
import type { FakeClock } from './fake-clock';
import { type FakeWecom, startFakeWecom } from './fake-wecom';
import { demoOrg } from './handoff';
import { cardClickXml, encryptedDelivery, textMessageXml } from './wecom-deliveries';

export const wecomIdOf = (user: string) => `wx_${user.replace('.', '_')}`;
export const WECOM = {
  corpId: 'ww0123456789abcdef',
  agentId: 1000002,
  secret: 'wecom-secret',
  token: 'wecomtoken',
  aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

export function withWecomIds(org: OrgFile = demoOrg(), only?: string[]): OrgFile {
  for (const u of org.users) if (!only || only.includes(u.id)) u.wecom = wecomIdOf(u.id);
  return org;
}

type Json = Record<string, unknown>;
const rec = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});

/** Drives the bot as WeCom users: encrypted, signed XML callbacks POSTed over real HTTP, as WeCom sends them. */
export class WecomChat {
  constructor(
    readonly fake: FakeWecom,
    readonly url: string,
    readonly clock: FakeClock,
    readonly flush: () => Promise<void>,
  ) {}

  private post(xml: string): Promise<Response> {
    const d = encryptedDelivery({ token: WECOM.token, aesKey: WECOM.aesKey, corpId: WECOM.corpId }, xml, {
      timestamp: Math.floor(this.clock.now().getTime() / 1000),
      agentId: WECOM.agentId,
    });
    return fetch(`${this.url}/wecom/callback${d.search}`, {
      method: 'POST',
      body: d.body,
      headers: { 'content-type': 'text/xml' },
    });
  }

  async say(user: string, text: string): Promise<Response> {
    const createTime = Math.floor(this.clock.now().getTime() / 1000);
    const res = await this.post(
      textMessageXml({
        corpId: WECOM.corpId,
        from: wecomIdOf(user),
        content: text,
        createTime,
        agentId: WECOM.agentId,
      }),
    );
    await this.flush();
    return res;
  }

  /** The current template_card of each card message sent to the user (latest update applied). */
  cards(user: string): { taskId: string; card: Json }[] {
    return this.fake.messages
      .filter((m) => m.touser === wecomIdOf(user) && m.taskId)
      .map((m) => {
        const upd = this.fake.updates.filter((u) => u.taskId === m.taskId).at(-1);
        return { taskId: m.taskId as string, card: rec(upd ? upd.body.template_card : m.body.template_card) };
      });
  }

  buttons(user: string): string[] {
    const card = this.cards(user).at(-1)?.card;
    const list = Array.isArray(card?.button_list) ? card.button_list.map(rec) : [];
    return list.map((b) => String(b.text)).filter((t) => t !== '知道了');
  }

  cardText(user: string): string {
    return JSON.stringify(this.cards(user).at(-1)?.card ?? {});
  }

  texts(user: string): string[] {
    return this.fake.messages
      .filter((m) => m.touser === wecomIdOf(user) && (m.msgtype === 'text' || m.msgtype === 'markdown'))
      .map((m) => JSON.stringify(m.body));
  }

  async waitForText(user: string, needle: string, tries = 50): Promise<string> {
    for (let i = 0; i < tries; i++) {
      const hit = this.texts(user).find((t) => t.includes(needle));
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 20));
      await this.flush();
    }
    throw new Error(`${user} never got a WeCom text containing "${needle}": ${this.texts(user).join(' | ')}`);
  }

  async click(user: string, label: string): Promise<Response> {
    const found = [...this.cards(user)]
      .reverse()
      .find((c) => Array.isArray(c.card.button_list) && c.card.button_list.some((b) => rec(b).text === label));
    const button = found && (found.card.button_list as unknown[]).map(rec).find((b) => b.text === label);
    if (!found || !button) throw new Error(`${user} has no WeCom card with a "${label}" button`);
    const res = await this.post(
      cardClickXml({
        corpId: WECOM.corpId,
        from: wecomIdOf(user),
        eventKey: String(button.key),
        taskId: found.taskId,
        responseCode: this.fake.issueResponseCode(found.taskId),
        createTime: Math.floor(this.clock.now().getTime() / 1000),
        agentId: WECOM.agentId,
      }),
    );
    await this.flush();
    return res;
  }
}

export async function startFakeWecomFor() {
  return startFakeWecom({ corpId: WECOM.corpId, secret: WECOM.secret, agentId: WECOM.agentId });
}

export const wecomConfig = (baseUrl: string) => ({
  corpId: WECOM.corpId,
  agentId: String(WECOM.agentId),
  secret: WECOM.secret,
  token: WECOM.token,
  aesKey: WECOM.aesKey,
  baseUrl,
  newsWebhook: undefined,
});
