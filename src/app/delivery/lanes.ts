import type { OutboxPayload } from '../ports';

/** Interactive rows (replies, the next holder's card, card updates) go before bulk rows (sweeps, news, nudges). */
export const LANES = ['interactive', 'bulk'] as const;
export type Lane = (typeof LANES)[number];

/**
 * The conversation an outbox row belongs to. Rows of one conversation are delivered strictly in order: a send goes
 * to a person or a chat (`user:<id>`, `chat:<id>`), an update to one message (`msg:<id>`).
 */
export function conversationOf(payload: OutboxPayload): string {
  return payload.op === 'send' ? `${payload.target.kind}:${payload.target.id}` : `msg:${payload.messageId}`;
}

/** Reminder sweeps, news posts and nudges (`催办` banners, urgent repeats) are bulk; everything else interactive. */
export function laneOf(payload: OutboxPayload): Lane {
  const view = payload.view;
  if (view.type === 'reminder' || view.type === 'news') return 'bulk';
  // An update refreshes a card someone may be looking at: interactive even when the copy carries a nudge banner.
  if (payload.op === 'update') return 'interactive';
  if (payload.urgent || (view.type === 'project' && view.banner?.startsWith('催办'))) return 'bulk';
  return 'interactive';
}
