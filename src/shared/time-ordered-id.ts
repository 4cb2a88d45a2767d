import { randomBytes } from 'node:crypto';

/**
 * A UUID in the version 7 layout: the first 48 bits are the Unix time in ms, the rest random (74 bits). Unique like
 * a random UUID, but ids made later sort later, so an index over them grows at its right edge: an outbox row's
 * idempotency key then dirties the index page the previous row dirtied, not a random one per insert.
 */
export function timeOrderedId(nowMs = Date.now()): string {
  const b = randomBytes(16);
  b.writeUIntBE(nowMs, 0, 6);
  b[6] = ((b[6] as number) & 0x0f) | 0x70; // version 7
  b[8] = ((b[8] as number) & 0x3f) | 0x80; // RFC 4122 variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
