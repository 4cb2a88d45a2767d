import { randomUUID } from 'node:crypto';
import type { CardModel } from '../../../cards/model';
import {
  type AckReply,
  type InboundHandler,
  type MessageLog,
  type OutboundContent,
  type PlatformAdapter,
  PlatformApiError,
  type SendTarget,
} from '../types';

/** One message in the simulator: from the bot (card or text) or typed by a person. */
export interface LocalMessage {
  id: string;
  /** `dm:<userId>` for a person's chat with the bot, or a group chat's name (e.g. handover_news). */
  conversation: string;
  from: 'bot' | string;
  content: OutboundContent;
  at: Date;
  updatedAt: Date;
}

export type LocalEvent = { type: 'message' | 'update'; message: LocalMessage };

export const dmConversation = (userId: string): string => `dm:${userId}`;
const conversationOf = (to: SendTarget): string => (to.kind === 'user' ? dmConversation(to.id) : to.id);

/**
 * The embedded platform: an in-process chat server. It plays the role Feishu's servers play for the Feishu adapter —
 * it stores messages, delivers them to subscribers (the browser page, tests) and turns what people type or click
 * into the same InboundEvents the other platforms produce. Platform user ids are the org user ids.
 */
export class LocalAdapter implements PlatformAdapter {
  readonly platform = 'local' as const;
  readonly ackDeadlineMs = 10_000;
  readonly answersClickedCard = true;
  private readonly messages = new Map<string, LocalMessage>();
  private readonly byKey = new Map<string, string>();
  private readonly listeners = new Set<(e: LocalEvent) => void>();
  private handler: InboundHandler | null = null;
  private seq = 0;

  constructor(
    private readonly clock: () => Date = () => new Date(),
    private readonly maxMessages = 5000,
    /** Where messages are kept across restarts (SQLite in the app); none = memory only. */
    private readonly log: MessageLog | null = null,
  ) {
    for (const m of log?.recent(maxMessages) ?? []) {
      const { key, ...msg } = m;
      this.messages.set(msg.id, msg);
      if (key) this.byKey.set(key, msg.id);
      this.seq = Math.max(this.seq, Number(msg.id.replace(/^lm_/, '')) || 0);
    }
  }

  /** Connects the inbound side to the app's pipeline. */
  attach(handler: InboundHandler): void {
    this.handler = handler;
  }

  async send(to: SendTarget, content: OutboundContent, idempotencyKey: string): Promise<{ messageId: string }> {
    const existing = this.byKey.get(idempotencyKey);
    if (existing) return { messageId: existing };
    const msg = this.store(conversationOf(to), 'bot', content, idempotencyKey);
    this.byKey.set(idempotencyKey, msg.id);
    return { messageId: msg.id };
  }

  async update(messageId: string, card: CardModel): Promise<void> {
    const msg = this.messages.get(messageId);
    // Older than the messages kept (or from a memory-only run before a restart): retrying cannot bring it back.
    if (!msg) throw new PlatformApiError(`local message ${messageId} does not exist`, 'local', { permanent: true });
    msg.content = { kind: 'card', card };
    msg.updatedAt = this.clock();
    this.log?.update(msg.id, msg.content, msg.updatedAt);
    this.emit({ type: 'update', message: msg });
  }

  /** A person types in their chat with the bot (or in a group, where the bot was mentioned). */
  async say(userId: string, text: string, conversation = dmConversation(userId)): Promise<AckReply> {
    const msg = this.store(conversation, userId, { kind: 'text', text });
    return this.inbound({
      kind: 'message',
      eventId: randomUUID(),
      actor: { platform: 'local', userId },
      chat: { chatId: conversation, type: conversation.startsWith('dm:') ? 'p2p' : 'group' },
      messageId: msg.id,
      text,
    });
  }

  /** A person clicks a card button (with the values of the button's form, if any). */
  async click(userId: string, messageId: string, value: unknown, form?: Record<string, unknown>): Promise<AckReply> {
    const msg = this.messages.get(messageId);
    const reply = await this.inbound({
      kind: 'cardAction',
      eventId: randomUUID(),
      actor: { platform: 'local', userId },
      chat: msg ? { chatId: msg.conversation, type: msg.conversation.startsWith('dm:') ? 'p2p' : 'group' } : null,
      messageId,
      value,
      ...(form ? { form } : {}),
    });
    if (reply.card && msg) await this.update(messageId, reply.card);
    return reply;
  }

  conversation(id: string): LocalMessage[] {
    return [...this.messages.values()].filter((m) => m.conversation === id);
  }

  get(messageId: string): LocalMessage | undefined {
    return this.messages.get(messageId);
  }

  subscribe(fn: (e: LocalEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private async inbound(ev: Parameters<InboundHandler>[0]): Promise<AckReply> {
    if (!this.handler) throw new Error('local adapter is not attached to a pipeline');
    return this.handler(ev);
  }

  private store(conversation: string, from: string, content: OutboundContent, key: string | null = null): LocalMessage {
    const now = this.clock();
    const msg: LocalMessage = { id: `lm_${++this.seq}`, conversation, from, content, at: now, updatedAt: now };
    this.messages.set(msg.id, msg);
    this.log?.insert({ ...msg, key });
    if (this.messages.size > this.maxMessages) {
      const oldest = this.messages.keys().next().value;
      if (oldest !== undefined) this.messages.delete(oldest);
    }
    this.emit({ type: 'message', message: msg });
    return msg;
  }

  private emit(e: LocalEvent): void {
    for (const fn of this.listeners) fn(e);
  }
}
