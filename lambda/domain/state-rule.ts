/**
 * The latest-state rule. A postback becomes the latest state of
 * its tracking-id when there is no state yet, or its rank is higher, or the ranks are
 * equal and its timestamp is later. Re-applying the postback that already is the state
 * is allowed (a retry that finishes interrupted work). The DynamoDB store enforces the
 * same rule atomically with a condition expression; this function is its reference.
 */
export interface StateKey {
  readonly rank: number;
  /** Canonical instant (see `toInstant`), whose string order is time order. */
  readonly instantKey: string;
  readonly postbackId: string;
}

/**
 * @example
 * supersedes({ rank: 2, instantKey: 'b', postbackId: 'x' }, { rank: 1, instantKey: 'c', postbackId: 'y' }); // true
 */
export function supersedes(candidate: StateKey, current: StateKey | undefined): boolean {
  if (current === undefined) return true;
  if (candidate.postbackId === current.postbackId) return true;
  if (candidate.rank !== current.rank) return candidate.rank > current.rank;
  return candidate.instantKey > current.instantKey;
}
