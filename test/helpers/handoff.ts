import { readFileSync } from 'node:fs';
import type { CardModel, Rich } from '../../cards/model';
import { spansOf } from '../../cards/rich';
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
    processFile: undefined,
    timeZone: 'Asia/Shanghai',
    logLevel: 'silent',
    feishu: null,
    dingtalk: null,
    wecom: null,
    localUi: true,
    localUiToken: null,
    lifecycle: { docDueDays: null },
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
  /** LOCAL_UI_TOKEN for the simulator API. */
  localUiToken?: string;
  databasePath?: string;
  /** PROCESS_FILE (default: the standard process). */
  processFile?: string;
  /** The port listen() binds (default 0: any free port). */
  port?: number;
  clock?: FakeClock;
  /** Extra route mounts passed to bootstrap, e.g. the local simulator page (mountLocalUi). */
  mounts?: BootstrapOptions['mounts'];
  /** Delivery engine overrides (default: rate windows on a virtual clock that sleeping advances, no timers). */
  delivery?: BootstrapOptions['delivery'];
  /** The process definition (default: processes/standard.yaml). */
  process?: BootstrapOptions['process'];
  /** Ack deadline options passed to bootstrap (a slow handler, the margin). */
  ack?: Pick<BootstrapOptions, 'ackMarginMs' | 'wrapInbound'>;
}

/** A virtual monotonic clock for the rate limits: waiting for a window advances it instantly. */
export function virtualDelivery(): NonNullable<BootstrapOptions['delivery']> & { elapsed(): number } {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms) => {
      t += ms;
    },
    wakeTimers: false,
    marginMs: 0,
    elapsed: () => t,
  };
}

export function createTestHandoff(opts: TestHandoffOptions = {}): Handoff & { clock: FakeClock } {
  const clock = opts.clock ?? new FakeClock();
  const h = bootstrap(
    testConfig({
      feishu: opts.feishu ?? null,
      dingtalk: opts.dingtalk ?? null,
      wecom: opts.wecom ?? null,
      localUi: opts.localUi ?? true,
      localUiToken: opts.localUiToken ?? null,
      ...(opts.databasePath ? { databasePath: opts.databasePath } : {}),
      ...(opts.port ? { port: opts.port } : {}),
      ...(opts.processFile ? { processFile: opts.processFile } : {}),
    }),
    {
      clock,
      logger: silentLogger,
      org: opts.org ?? demoOrg(),
      scheduler: false,
      watch: false,
      ...(opts.mounts ? { mounts: opts.mounts } : {}),
      ...(opts.process ? { process: opts.process } : {}),
      delivery: opts.delivery ?? virtualDelivery(),
      ...opts.ack,
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

/** Inline text as markdown-like text for assertions: links as `[label](url)`, emphasis as `**text**`. */
export function richText(r: Rich): string {
  return spansOf(r)
    .map((s) => (typeof s === 'string' ? s : 'strong' in s ? `**${s.strong}**` : `[${s.link}](${s.url})`))
    .join('');
}

export function cardText(card: CardModel): string {
  const parts: string[] = [card.header.title, card.header.subtitle ?? ''];
  for (const b of card.blocks) {
    if (b.type === 'fields') parts.push(...b.fields.map((f) => `${f.label}: ${richText(f.value)}`));
    else if (b.type === 'rich') parts.push(...b.lines.map(richText));
    else if (b.type === 'markdown' || b.type === 'note') parts.push(b.text);
    else if (b.type === 'ask') parts.push(richText(b.text));
    else if (b.type === 'checklist') parts.push(b.title, ...b.items.map((i) => richText(i.text)));
    else if (b.type === 'history')
      parts.push(
        ...b.entries.map((e) => `${e.who} ${e.what} ${e.note ? `${e.note.label}：${richText(e.note.text)}` : ''}`),
      );
  }
  return parts.join('\n');
}

/** The commercial review's card form: every checklist item ticked, no 外采. */
export const COMMERCIAL_FORM = { check_1: 'yes', check_2: 'yes', check_3: 'yes', check_4: 'yes', outsourcing: 'no' };
export const COMMERCIAL_OK = '审核通过（电子签名）';
/** The project director's setup (立项) form. */
export const SETUP_FORM = { feasibility: '产品匹配可行', risk: '风险可控' };
/** The same by typing. */
export const COMMERCIAL_TYPED = 'checklist=all outsourcing=no';
export const SETUP_TYPED = 'feasibility=可行 risk=可控';

export const REGISTER_NORTH_UNSIGNED =
  '/register name="北方智慧园区" customer=北方客户 kind=project region=north contract=HT-2026-001 signed=no paid=no req=https://docs.example.com/req form=https://docs.example.com/form';
