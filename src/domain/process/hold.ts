import type { UserId } from '../org';
import type { Answers } from './state';

/**
 * Who holds a step or task beyond what the definition says: the person it was transferred to, and signers added by
 * the holder (加签). Kept on the approval-chain step (`Step.hold`) and on the task instance (`TaskInstance.hold`).
 * Absent = the definition's holders, unchanged.
 */
export const SIGN_POSITIONS = ['before', 'after', 'with'] as const;
export type SignPosition = (typeof SIGN_POSITIONS)[number];

export interface Signer {
  user: UserId;
  /** before: decides first, then the holder; after: decides after the holder; with: 会签, both must approve. */
  position: SignPosition;
  addedBy: UserId;
  done: boolean;
}

/** The holder's own decision, kept while signers after (or alongside) still have to approve. */
export interface HeldDecision {
  by: UserId;
  answers: Answers;
  note: string | null;
}

export interface Hold {
  /** Transferred (转交) or reassigned to: replaces the definition's holders. */
  to: UserId[] | null;
  signers: Signer[];
  main: HeldDecision | null;
  /** Who holds it now (before delegation), as of the last change: the store lists it under these people. */
  now: UserId[];
}

export const emptyHold = (): Hold => ({ to: null, signers: [], main: null, now: [] });

export const cloneHold = (h: Hold): Hold => ({
  to: h.to ? [...h.to] : null,
  signers: h.signers.map((s) => ({ ...s })),
  main: h.main && { ...h.main, answers: { ...h.main.answers } },
  now: [...h.now],
});

/** Sets or clears the hold of a step or task (exact optional properties: absent, never undefined). */
export function putHold(on: { hold?: Hold }, h: Hold | undefined): void {
  if (h) on.hold = h;
  else delete on.hold;
}

const uniq = (xs: UserId[]): UserId[] => [...new Set(xs)];
const pending = (h: Hold, pos: SignPosition): Signer[] => h.signers.filter((s) => s.position === pos && !s.done);

/** The owners of a held step: whom it was transferred to, else the definition's holders. */
export const ownersOf = (base: UserId[], h: Hold | undefined): UserId[] => h?.to ?? base;

/** before: before-signers decide; main: the owners (and alongside signers); after: the signers after the owner. */
export function phaseOf(h: Hold): 'before' | 'main' | 'after' {
  if (pending(h, 'before').length) return 'before';
  return h.main ? 'after' : 'main';
}

/** THE answer to "who holds this step now" (before delegation), from the definition's holders and the hold. */
export function holdersNow(base: UserId[], h: Hold | undefined): UserId[] {
  const owners = ownersOf(base, h);
  if (!h) return owners;
  const phase = phaseOf(h);
  if (phase === 'before') return uniq(pending(h, 'before').map((s) => s.user));
  if (phase === 'main') return uniq([...owners, ...pending(h, 'with').map((s) => s.user)]);
  const alongside = pending(h, 'with');
  return uniq((alongside.length ? alongside : pending(h, 'after')).map((s) => s.user));
}

/** The signer entry `user` decides as now, or null when they decide as the owner (or not at all). */
export function signerNow(base: UserId[], h: Hold | undefined, user: UserId): Signer | null {
  if (!h) return null;
  const phase = phaseOf(h);
  const open = (pos: SignPosition) => pending(h, pos).find((s) => s.user === user) ?? null;
  if (phase === 'before') return open('before');
  if (phase === 'main') return ownersOf(base, h).includes(user) ? null : open('with');
  return open('with') ?? (pending(h, 'with').length ? null : open('after'));
}

/** Whether the owner's decision must wait for signers (alongside or after). */
export const ownerMustWait = (h: Hold | undefined): boolean =>
  h !== undefined && (pending(h, 'with').length > 0 || pending(h, 'after').length > 0);

/** Every signer has approved and the owner has decided: the step completes with the owner's decision. */
export const signedOff = (h: Hold): boolean => h.main !== null && !ownerMustWait(h) && phaseOf(h) === 'after';

/** Back to the start of the step (sent back to it, or its approval revoked): everyone decides again. */
export function reopenHold(h: Hold | undefined): Hold | undefined {
  if (!h) return undefined;
  return { ...h, signers: h.signers.map((s) => ({ ...s, done: false })), main: null };
}

/** Recomputes the snapshot of who holds it now. Returns the hold, or undefined when nothing is left in it. */
export function settle(base: UserId[], h: Hold | undefined): Hold | undefined {
  if (!h) return undefined;
  if (h.to === null && h.signers.length === 0 && h.main === null) return undefined;
  h.now = holdersNow(base, h);
  return h;
}
