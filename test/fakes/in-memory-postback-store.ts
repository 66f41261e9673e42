/**
 * An in-memory {@link PostbackStore} for unit tests, with the rules of the DynamoDB store
 * (`lambda/adapters/dynamodb-store.ts`): a history entry per postback, written only when
 * absent (else `duplicate`); the latest state decided by the domain's state rule (`supersedes` of `lambda/domain/state-rule.ts`).
 * `postback-store-contract.ts` runs the same cases against both stores, so that this fake
 * cannot drift from the real one.
 */
import type { PostbackRecord } from '../../lambda/domain/postback';
import { type StateKey, supersedes } from '../../lambda/domain/state-rule';
import { statusUnknownBody } from '../../lambda/domain/status-unknown';
import type { CallOptions, PostbackStore, RejectedPostback, SaveResult, StatusUnknownSave, StatusUnknownStore } from '../../lambda/ports';

/** One history entry, as the fake keeps it. */
export interface FakeHistoryEntry {
  readonly record: PostbackRecord;
  readonly rawBody: string;
  /** When it was written. */
  readonly receivedAt: Date;
  /** The `isLatest` its write decided. */
  readonly isLatest: boolean;
}

/** The latest state of one message: the record that set it. */
export interface FakeState {
  readonly record: PostbackRecord;
  readonly updatedAt: Date;
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
 * const store = new InMemoryPostbackStore();
 * await store.save(record, JSON.stringify(body), new Date()); // { outcome: 'stored', isLatest: true }
 * store.inserted; // the entries in the order written: what the table's stream would carry
 */
export class InMemoryPostbackStore implements PostbackStore, StatusUnknownStore {
  /** Refused postbacks, in the order saved. */
  readonly rejected: RejectedPostback[] = [];
  /** Every history entry in the order it was written (the inserts the table's stream carries). */
  readonly inserted: FakeHistoryEntry[] = [];
  private readonly entries = new Map<string, FakeHistoryEntry>();
  private readonly states = new Map<string, FakeState>();

  async save(record: PostbackRecord, rawBody: string, now: Date, _options?: CallOptions): Promise<SaveResult> {
    if (this.entries.has(entryKey(record))) return { outcome: 'duplicate' };
    // An unknown code or a far-future timestamp never becomes the latest state: history only.
    const isLatest = record.precedence !== undefined && supersedes(stateKeyOf(record), this.currentKey(record.trackingId));
    this.putEntry(record, rawBody, now, isLatest);
    if (isLatest) this.states.set(record.trackingId, { record, updatedAt: now });
    return { outcome: 'stored', isLatest };
  }

  async saveStatusUnknown(record: PostbackRecord, now: Date, _options?: CallOptions): Promise<StatusUnknownSave> {
    if (this.entries.has(entryKey(record))) return { outcome: 'duplicate' };
    // Only over an existing state of lower rank (not final), or this very postback (a retry).
    const current = this.states.get(record.trackingId);
    const rank = record.catalogEntry?.rank ?? -1;
    if (!current || !((current.record.catalogEntry?.rank ?? -1) < rank || current.record.postbackId === record.postbackId)) {
      return { outcome: 'superseded' };
    }
    this.putEntry(record, statusUnknownBody(record), now, true);
    this.states.set(record.trackingId, { record, updatedAt: now });
    return { outcome: 'stored' };
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

  private putEntry(record: PostbackRecord, rawBody: string, now: Date, isLatest: boolean): void {
    const entry: FakeHistoryEntry = { record, rawBody, receivedAt: now, isLatest };
    this.entries.set(entryKey(record), entry);
    this.inserted.push(entry);
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
