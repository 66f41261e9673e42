/**
 * An in-memory {@link PostbackStore} for unit tests, with the claim rules of the DynamoDB
 * store (`lambda/adapters/dynamodb-store.ts`): a history entry per postback under a lease,
 * taken over once the lease has expired, `duplicate` only once published; the latest
 * state decided by the domain's state rule (`supersedes` of `lambda/domain/state-rule.ts`).
 * `postback-store-contract.ts` runs the same cases against both stores, so that this fake
 * cannot drift from the real one.
 */
import type { PostbackRecord } from '../../lambda/domain/postback';
import { type StateKey, supersedes } from '../../lambda/domain/state-rule';
import { statusUnknownBody } from '../../lambda/domain/status-unknown';
import type { CallOptions, ClaimResult, PostbackStore, RejectedPostback, StatusUnknownClaim, StatusUnknownStore } from '../../lambda/ports';

/** One history entry, as the fake keeps it. */
export interface FakeHistoryEntry {
  readonly record: PostbackRecord;
  readonly rawBody: string;
  /** Whether its event is out (marked published). */
  published: boolean;
  /** Epoch milliseconds; the entry may be taken over once the lease has expired (strictly before the claim's time). */
  leaseExpiresAt: number;
  /** The `isLatest` its claim decided. */
  readonly isLatest: boolean;
}

/** The latest state of one message: the record that set it. */
export interface FakeState {
  readonly record: PostbackRecord;
  readonly updatedAt: Date;
}

export interface InMemoryPostbackStoreOptions {
  /** How long a claim owns its postback. @default 60 */
  readonly leaseSeconds?: number;
}

function stateKeyOf(record: PostbackRecord): StateKey {
  return {
    rank: record.catalogEntry?.rank ?? -1,
    instantKey: record.instant.key,
    outcome: record.outcome,
    postbackId: record.postbackId,
  };
}

/**
 * @example
 * const store = new InMemoryPostbackStore({ leaseSeconds: 60 });
 * await store.claim(record, JSON.stringify(body), new Date()); // { outcome: 'claimed', isLatest: true }
 */
export class InMemoryPostbackStore implements PostbackStore, StatusUnknownStore {
  /** Refused postbacks, in the order saved. */
  readonly rejected: RejectedPostback[] = [];
  private readonly entries = new Map<string, FakeHistoryEntry>();
  private readonly states = new Map<string, FakeState>();
  private readonly leaseMs: number;

  constructor(options: InMemoryPostbackStoreOptions = {}) {
    this.leaseMs = (options.leaseSeconds ?? 60) * 1000;
  }

  async claim(record: PostbackRecord, rawBody: string, now: Date, _options?: CallOptions): Promise<ClaimResult> {
    const blocked = this.blockingEntry(record, now);
    if (blocked) return blocked;
    // An unknown code or a far-future timestamp never becomes the latest state: history only.
    const isLatest = record.precedence !== undefined && supersedes(stateKeyOf(record), this.currentKey(record.trackingId));
    this.putEntry(record, rawBody, now, isLatest);
    if (isLatest) this.states.set(record.trackingId, { record, updatedAt: now });
    return { outcome: 'claimed', isLatest };
  }

  async claimStatusUnknown(record: PostbackRecord, now: Date, _options?: CallOptions): Promise<StatusUnknownClaim> {
    const blocked = this.blockingEntry(record, now);
    if (blocked) return blocked;
    // Only over an existing state of lower rank (not final), or this very postback (a retry).
    const current = this.states.get(record.trackingId);
    const rank = record.catalogEntry?.rank ?? -1;
    if (!current || !((current.record.catalogEntry?.rank ?? -1) < rank || current.record.postbackId === record.postbackId)) {
      return { outcome: 'superseded' };
    }
    this.putEntry(record, statusUnknownBody(record), now, true);
    this.states.set(record.trackingId, { record, updatedAt: now });
    return { outcome: 'claimed' };
  }

  async markPublished(record: PostbackRecord, _options?: CallOptions): Promise<void> {
    const entry = this.entries.get(entryKey(record));
    // Like the DynamoDB update (no condition): an entry that is not there is written as published.
    if (entry === undefined)
      this.entries.set(entryKey(record), { record, rawBody: '', published: true, leaseExpiresAt: 0, isLatest: false });
    else {
      entry.published = true;
      entry.leaseExpiresAt = 0;
    }
  }

  async release(record: PostbackRecord, _options?: CallOptions): Promise<void> {
    const entry = this.entries.get(entryKey(record));
    if (entry !== undefined && !entry.published) entry.leaseExpiresAt = 0;
  }

  async saveRejected(rejected: RejectedPostback, _options?: CallOptions): Promise<void> {
    this.rejected.push(rejected);
  }

  /** The history entry of a postback, if stored. */
  entry(record: Pick<PostbackRecord, 'trackingId' | 'instant' | 'postbackId'>): FakeHistoryEntry | undefined {
    return this.entries.get(entryKey(record));
  }

  /** The history of a message, oldest first (by timestamp, then postbackId). */
  history(trackingId: string): FakeHistoryEntry[] {
    return [...this.entries.entries()]
      .filter(([, entry]) => entry.record.trackingId === trackingId)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, entry]) => entry);
  }

  /** The latest state of a message, if any. */
  state(trackingId: string): FakeState | undefined {
    return this.states.get(trackingId);
  }

  /** `duplicate` or `in_progress` when the postback's entry exists and may not be taken over at `now`. */
  private blockingEntry(record: PostbackRecord, now: Date): Exclude<ClaimResult, { outcome: 'claimed' }> | undefined {
    const entry = this.entries.get(entryKey(record));
    if (entry === undefined || (!entry.published && entry.leaseExpiresAt < now.getTime())) return undefined;
    return entry.published ? { outcome: 'duplicate' } : { outcome: 'in_progress' };
  }

  private putEntry(record: PostbackRecord, rawBody: string, now: Date, isLatest: boolean): void {
    this.entries.set(entryKey(record), { record, rawBody, published: false, leaseExpiresAt: now.getTime() + this.leaseMs, isLatest });
  }

  private currentKey(trackingId: string): StateKey | undefined {
    const state = this.states.get(trackingId);
    return state === undefined ? undefined : stateKeyOf(state.record);
  }
}

/** One entry per message, timestamp and postbackId, as the table's history key. */
function entryKey(record: Pick<PostbackRecord, 'trackingId' | 'instant' | 'postbackId'>): string {
  return `${record.trackingId}\u0000${record.instant.key}#${record.postbackId}`;
}
