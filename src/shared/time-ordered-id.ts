import { randomUUID } from 'node:crypto';

/**
 * A UUID in the version 7 layout: the first 48 bits are the Unix time in ms, the rest random (74 bits). Unique like
 * a random UUID, but ids made later sort later, so an index over them grows at its right edge: an outbox row's
 * idempotency key then dirties the index page the previous row dirtied, not a random one per insert.
 * The random part is a random (version 4) UUID's, from Node's pooled generator: `randomBytes` per id cost a buffer
 * and a call into OpenSSL on every outbox row.
 */
export function timeOrderedId(nowMs = Date.now()): string {
  const t = nowMs.toString(16).padStart(12, '0');
  // v4: xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx; from index 15 on: 12 random bits, the variant nibble, 62 random bits.
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${randomUUID().slice(15)}`;
}
