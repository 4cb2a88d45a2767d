import { readFileSync } from 'node:fs';
import type { CardModel } from '../../cards/model';
import { type BootstrapOptions, bootstrap, DEMO_ORG_FILE, type Handoff } from '../../src/bootstrap';
import type { Config, DingtalkConfig, FeishuConfig, WecomConfig } from '../../src/config/env';
import { type OrgFile, parseOrgFile } from '../../src/config/org-file';
import { dmConversation, type LocalAdapter } from '../../src/platforms/local/adapter';
import { silentLogger } from '../../src/shared/logger';
import { FakeClock } from './fake-clock';

export const demoOrg = (): OrgFile => parseOrgFile(readFileSync(DEMO_ORG_FILE, 'utf8'), 'org.example.yaml');

export function testConfig(over: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    databasePath: ':memory:',
    orgFile: undefined,
    timeZone: 'Asia/Shanghai',
    logLevel: 'silent',
    feishu: null,
    dingtalk: null,
    wecom: null,
    localUi: true,
    lifecycle: { docDueDays: 30 },
    reminders: { cron: '0 9-18 * * 1-5', escalatePmDays: 3, escalateDirectorDays: 7, approvalSlaHours: 24 },
    metricsToken: undefined,
    shutdownGraceMs: 5000,
    backupDir: './data/backups',
    ...over,
  };
}

export interface TestHandoffOptions {
  org?: OrgFile;
  feishu?: FeishuConfig;
  dingtalk?: DingtalkConfig;
  wecom?: WecomConfig;
  localUi?: boolean;
  databasePath?: string;
  clock?: FakeClock;
  /** Extra route mounts passed to bootstrap, e.g. the local simulator page (mountLocalUi). */
  mounts?: BootstrapOptions['mounts'];
}

export function createTestHandoff(opts: TestHandoffOptions = {}): Handoff & { clock: FakeClock } {
  const clock = opts.clock ?? new FakeClock();
  const h = bootstrap(
    testConfig({
      feishu: opts.feishu ?? null,
      dingtalk: opts.dingtalk ?? null,
      wecom: opts.wecom ?? null,
      localUi: opts.localUi ?? true,
      ...(opts.databasePath ? { databasePath: opts.databasePath } : {}),
    }),
    {
      clock,
      logger: silentLogger,
      org: opts.org ?? demoOrg(),
      scheduler: false,
      ...(opts.mounts ? { mounts: opts.mounts } : {}),
    },
  );
  return Object.assign(h, { clock });
}

/** koishi-style chat driver over the local platform: say, click, read what each person sees. */
export class LocalChat {
  constructor(private readonly h: Handoff) {}

  private get local(): LocalAdapter {
    if (!this.h.local) throw new Error('local platform is off');
    return this.h.local;
  }

  async say(user: string, text: string) {
    const r = await this.local.say(user, text);
    await this.h.flush();
    return r;
  }

  /** Clicks the button labelled `label` (an action or a form submit) on the user's latest card that has it. */
  async click(user: string, label: string, form?: Record<string, unknown>, messageId?: string) {
    const id =
      messageId ??
      this.cards(user)
        .reverse()
        .find((m) => buttonOf(m.card, label))?.id;
    const msg = id ? this.local.get(id) : undefined;
    if (msg?.content.kind !== 'card') throw new Error(`${user} has no card with a "${label}" button`);
    const button = buttonOf(msg.content.card, label);
    if (!button) throw new Error(`card ${msg.id} has no "${label}" button`);
    const r = await this.local.click(user, msg.id, button.value, form);
    await this.h.flush();
    return r;
  }

  messages(user: string) {
    return this.local.conversation(dmConversation(user));
  }

  texts(user: string): string[] {
    return this.messages(user).flatMap((m) => (m.from === 'bot' && m.content.kind === 'text' ? [m.content.text] : []));
  }

  lastText(user: string): string {
    return this.texts(user).at(-1) ?? '';
  }

  cards(user: string) {
    return this.messages(user).flatMap((m) => (m.content.kind === 'card' ? [{ id: m.id, card: m.content.card }] : []));
  }

  lastCard(user: string): CardModel {
    const c = this.cards(user).at(-1);
    if (!c) throw new Error(`${user} has no card`);
    return c.card;
  }

  /** Labels of the live buttons (actions and form submits) on the user's latest card. */
  buttons(user: string): string[] {
    return cardButtons(this.lastCard(user)).map((b) => b.label);
  }
}

export function cardButtons(card: CardModel) {
  return [...card.actions, ...card.forms.map((f) => f.submit)].filter((b) => !b.disabled);
}

function buttonOf(card: CardModel, label: string) {
  return cardButtons(card).find((b) => b.label === label);
}

export function cardText(card: CardModel): string {
  const parts: string[] = [card.header.title, card.header.subtitle ?? ''];
  for (const b of card.blocks) {
    if (b.type === 'fields') parts.push(...b.fields.map((f) => `${f.label}: ${f.value}`));
    else if (b.type === 'markdown' || b.type === 'note') parts.push(b.text);
    else if (b.type === 'checklist') parts.push(b.title, ...b.items.map((i) => i.text));
    else if (b.type === 'history') parts.push(...b.entries.map((e) => `${e.who} ${e.what} ${e.reason ?? ''}`));
  }
  return parts.join('\n');
}

export const REGISTER_NORTH_UNSIGNED =
  '/register name="北方智慧园区" customer=北方客户 kind=project region=north contract=HT-2026-001 signed=no paid=no req=https://docs.example.com/req form=https://docs.example.com/form';
