import type { PostbackDetail } from './domain/event-detail';
import type { PostbackRecord } from './domain/postback';
import type { WaitingMessage } from './domain/status-unknown';

/**
 * Options of one call through a port: the signal that bounds it by the time the invocation
 * has left (`runtime/deadline.ts`). Without one, only the clients' own timeouts apply.
 */
export interface CallOptions {
  readonly abortSignal?: AbortSignal;
}

/** What `claim` found: the caller owns the postback now, or it is a duplicate, or another invocation owns it. */
export type ClaimResult =
  | { readonly outcome: 'claimed'; readonly isLatest: boolean }
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'in_progress' };

/** What `claimStatusUnknown` found: written now, a final state got there first, or already written (published or still unpublished). */
export type StatusUnknownClaim =
  | { readonly outcome: 'claimed' }
  | { readonly outcome: 'superseded' }
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'in_progress' };

/** A refused but authenticated postback, kept for operators (with a TTL, under `REJECTED#<date>`). */
export interface RejectedPostback {
  readonly requestId: string;
  readonly receivedAt: Date;
  readonly statusCode: number;
  readonly reason: string;
  readonly message: string;
  readonly details?: unknown;
  readonly contentType?: string;
  readonly sourceIp?: string;
  /** The body as received (decoded text, for people), cut to the size limit. */
  readonly body: string;
  /**
   * The body's bytes exactly as the sender sent them, cut to the size limit (at most 64 KiB):
   * what a replay sends again, with `contentType`. Absent on records kept before the bytes were.
   */
  readonly bodyBytes?: Uint8Array;
  readonly truncated: boolean;
}

/**
 * The ingest side of the store. Implemented by `adapters/dynamodb-store.ts`; all
 * methods throw on DynamoDB failures.
 */
export interface PostbackStore {
  /**
   * Records the postback in history, unpublished and under a lease, and, when the latest-state
   * rule allows, makes it the latest state, atomically. Answers `duplicate` only for a
   * postback whose event is published; an unpublished one whose lease has expired is taken over.
   */
  claim(record: PostbackRecord, rawBody: string, now: Date, options?: CallOptions): Promise<ClaimResult>;
  /** Marks the history entry as published (its event is out). */
  markPublished(record: PostbackRecord, options?: CallOptions): Promise<void>;
  /** Gives the lease up after a failure, so that the sender's retry can proceed at once. */
  release(record: PostbackRecord, options?: CallOptions): Promise<void>;
  saveRejected(rejected: RejectedPostback, options?: CallOptions): Promise<void>;
}

/** The status-unknown sweep's side of the store: the same unpublished/published life cycle as postbacks. */
export interface StatusUnknownStore extends Pick<PostbackStore, 'markPublished' | 'release'> {
  /**
   * Records the synthetic status-unknown postback in history, unpublished and under a lease, and
   * makes it the latest state, atomically, only while the state is still not final.
   */
  claimStatusUnknown(record: PostbackRecord, now: Date, options?: CallOptions): Promise<StatusUnknownClaim>;
}

/** Publishes one event per postback; throws when the event is not accepted, even partially. */
export interface EventPublisher {
  publish(record: PostbackRecord, detail: PostbackDetail, options?: CallOptions): Promise<void>;
}

/** The shared secrets currently accepted (current and previous version). */
export interface SecretSource {
  /** The accepted secrets; empty means nothing is configured and every request is refused. */
  secrets(options?: CallOptions): Promise<readonly string[]>;
  /** Called when a presented credential matched nothing: may refetch (rate-limited) to see a rotation. */
  refreshAfterMiss?(options?: CallOptions): Promise<readonly string[] | undefined>;
}

/** Where a history entry is stored (opaque to the relay). */
export interface StoredEntryKey {
  readonly pk: string;
  readonly sk: string;
}

/** A history entry whose event is not out, as the relay reads it after taking its lease. */
export interface PendingEntry {
  readonly key: StoredEntryKey;
  readonly postbackId: string;
  readonly trackingId: string;
  /** The body as received (JSON or XML; a synthetic postback's waiting message, `statusUnknownBody`): the relay rebuilds the event from it. */
  readonly body: string;
  /** When the postback was received (the Detail's `receivedAt`), ISO 8601. */
  readonly receivedAt: string;
  /** The `isLatest` its claim decided. */
  readonly isLatest: boolean;
}

/** What taking the lease of a due entry found. */
export type LeaseResult =
  | { readonly outcome: 'taken'; readonly entry: PendingEntry }
  /** Published meanwhile, or its lease was taken by a sender's retry or another relay run. */
  | { readonly outcome: 'not_due'; readonly receivedAt?: string };

/**
 * The relay's side of the store: the unpublished history entries whose lease has expired,
 * taken with the same lease as a claim. Implemented by `adapters/dynamodb-relay-store.ts`;
 * all methods throw on DynamoDB failures.
 */
export interface RelayStore {
  /** Keys of pending entries whose lease expired before `now`, at most `limit`. */
  listDue(now: Date, limit: number): Promise<StoredEntryKey[]>;
  /** Takes the lease of a pending entry whose lease has expired (a conditional write), for `leaseSeconds`. */
  takeLease(key: StoredEntryKey, now: Date, leaseSeconds: number): Promise<LeaseResult>;
  /** Marks the entry published (its event is out); it leaves the relay's index. */
  markPublished(key: StoredEntryKey): Promise<void>;
  /** Gives the lease up after a failure, so that the next run or a retry may proceed at once. */
  release(key: StoredEntryKey): Promise<void>;
}

/** One page of messages whose wait is over, and where the next page starts (opaque). */
export interface DuePage {
  readonly messages: readonly WaitingMessage[];
  readonly nextKey: Record<string, unknown> | undefined;
}

/** Finds messages that are still not final when their wait for a final postback is over. */
export interface StatusDueSource {
  /** Due messages of one index shard, oldest due first, at most `limit` index entries. */
  duePage(shard: string, now: Date, limit: number, startKey?: Record<string, unknown>): Promise<DuePage>;
}
