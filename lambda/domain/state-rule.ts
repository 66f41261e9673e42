import type { Outcome } from './catalog';

/**
 * The latest-state rule. A postback becomes the latest state of its tracking-id when there
 * is no state yet, or its rank is higher, or the ranks are equal and its timestamp is
 * later. Equal rank and equal instant are decided the same way whatever the arrival
 * order: outcome `failure` before `success` before `unknown` before `pending`, then the
 * greater `postbackId`. Re-applying the postback that already is the state is allowed (a
 * retry that finishes interrupted work).
 *
 * The rule is a total order, written as one sortable string, the *precedence*: the
 * DynamoDB store keeps it on the state item and enforces the rule atomically with one
 * `<` comparison in a condition expression. This module is the only place that builds it.
 */
export interface StateKey {
  readonly rank: number;
  /** Canonical instant (see `toInstant`), whose string order is time order. */
  readonly instantKey: string;
  readonly outcome: Outcome;
  readonly postbackId: string;
}

/** The rank of the synthetic `MMS Status Unknown` state: above `Sent`, below every real final code. */
export const STATUS_UNKNOWN_RANK = 1.5;

/**
 * How far after its receipt a postback's timestamp may lie and still become the latest
 * state. A later timestamp (a wrong clock, a forged year 9999) is accepted, stored and
 * published, but never becomes the latest state: it would pin the message's state forever.
 */
export const FAR_FUTURE_MS = 24 * 60 * 60 * 1000;

/** Outcomes in the order that decides a tie of rank and instant (greater wins). */
export const OUTCOME_ORDER: Readonly<Record<Outcome, number>> = { pending: 0, unknown: 1, success: 2, failure: 3 };

/** Separates the parts of a precedence; sorts before every digit and letter, so a shorter instant key sorts first. */
const SEPARATOR = '#';

/** Ranks are written as tenths on three digits: 0 -> `000`, 1.5 -> `015`, 2 -> `020`. */
function rankPart(rank: number): string {
  const tenths = Math.round(rank * 10);
  if (!Number.isFinite(rank) || rank < 0 || tenths > 999 || Math.abs(tenths - rank * 10) > 1e-9) {
    throw new RangeError(`a rank must be a multiple of 0.1 from 0 to 99.9, got ${rank}`);
  }
  return String(tenths).padStart(3, '0');
}

/**
 * The sortable form of a {@link StateKey}: one string whose order is the latest-state rule
 * (fixed-width rank, instant key, outcome order, postbackId).
 *
 * @example
 * precedenceOf({ rank: 2, instantKey: '2026-04-24T18:30:00.000000000Z', outcome: 'failure', postbackId: 'ab12' });
 * // '020#2026-04-24T18:30:00.000000000Z#3#ab12'
 */
export function precedenceOf(key: StateKey): string {
  return [rankPart(key.rank), key.instantKey, String(OUTCOME_ORDER[key.outcome]), key.postbackId].join(SEPARATOR);
}

/**
 * Whether `candidate` becomes the latest state over `current` (the reference of the
 * store's condition expression).
 *
 * @example
 * supersedes(
 *   { rank: 2, instantKey: 'b', outcome: 'success', postbackId: 'x' },
 *   { rank: 1, instantKey: 'c', outcome: 'pending', postbackId: 'y' },
 * ); // true
 */
export function supersedes(candidate: StateKey, current: StateKey | undefined): boolean {
  if (current === undefined) return true;
  if (candidate.postbackId === current.postbackId) return true;
  return precedenceOf(candidate) > precedenceOf(current);
}

/**
 * Whether a postback may become the latest state at all: its code is in the catalog and
 * its timestamp is at most {@link FAR_FUTURE_MS} after its receipt.
 *
 * @example
 * competesForLatest({ known: true, epochMs: Date.parse('9999-01-01T00:00:00Z'), receivedAt: new Date() }); // false
 */
export function competesForLatest(input: { readonly known: boolean; readonly epochMs: number; readonly receivedAt: Date }): boolean {
  return input.known && input.epochMs - input.receivedAt.getTime() <= FAR_FUTURE_MS;
}
