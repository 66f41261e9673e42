import type { PostbackDetail } from './domain/event-detail';
import type { PostbackRecord } from './domain/postback';
import type { WaitingMessage } from './domain/status-unknown';

/**
 * Options of one call through a port: the signal that bounds it by the time the invocation
 * has left (`platform/deadline.ts`). Without one, only the clients' own timeouts apply.
 */
export interface CallOptions {
  readonly abortSignal?: AbortSignal;
}

/**
 * What saving a new postback found: stored now (its event follows from the table's stream),
 * already stored (a duplicate: nothing written), or a concurrent write of the same message
 * got in the way (a DynamoDB transaction conflict: nothing written, the sender retries).
 */
export type SaveResult =
  | { readonly outcome: 'stored'; readonly isLatest: boolean }
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'conflict' };

/** What saving the synthetic status-unknown postback found: stored now, a final state got there first, already stored, or a concurrent write. */
export type StatusUnknownSave =
  | { readonly outcome: 'stored' }
  | { readonly outcome: 'superseded' }
  | { readonly outcome: 'duplicate' }
  | { readonly outcome: 'conflict' };

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
   * Records the postback in history (conditional on its absence: the deduplication) and,
   * when the latest-state rule allows, makes it the latest state, atomically. Its event is
   * published from the table's stream, not by the caller.
   */
  save(record: PostbackRecord, rawBody: string, now: Date, options?: CallOptions): Promise<SaveResult>;
  saveRejected(rejected: RejectedPostback, options?: CallOptions): Promise<void>;
}

/** The status-unknown sweep's side of the store. */
export interface StatusUnknownStore {
  /**
   * Records the synthetic status-unknown postback in history and makes it the latest state,
   * atomically, only while the state is still not final. Its event is published from the stream.
   */
  saveStatusUnknown(record: PostbackRecord, now: Date, options?: CallOptions): Promise<StatusUnknownSave>;
}

/** A history entry as stored: what the publisher reads from a stream record's new image, and `npm run republish` from the table. */
export interface StoredEntry {
  readonly postbackId: string;
  readonly trackingId: string;
  /** The body as received (JSON or XML; a synthetic postback's waiting message, `statusUnknownBody`): the event is rebuilt from it. */
  readonly body: string;
  /** When the postback was received (the Detail's `receivedAt`), ISO 8601. */
  readonly receivedAt: string;
  /** The `isLatest` the entry's transaction decided. */
  readonly isLatest: boolean;
}

/** One event to publish: the postback's record (detail-type, time) and its Detail. */
export interface OutgoingEvent {
  readonly record: Pick<PostbackRecord, 'postbackId' | 'trackingId' | 'detailType' | 'instant'>;
  readonly detail: PostbackDetail;
}

/** The fate of one entry of a batch publish: accepted, or refused with the service's error code. */
export type EntryResult = { readonly ok: true } | { readonly ok: false; readonly errorCode: string; readonly errorMessage?: string };

/**
 * Publishes events in one request (PutEvents: at most {@link https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html 10 entries and 256 KB}).
 * Implemented by `adapters/eventbridge-publisher.ts`.
 */
export interface EventBatchPublisher {
  /** The size one event takes in a request, as EventBridge counts it. */
  entrySize(event: OutgoingEvent): number;
  /** One result per event, in order; throws when the request as a whole fails. */
  publishBatch(events: readonly OutgoingEvent[], options?: CallOptions): Promise<readonly EntryResult[]>;
}

/** The shared secrets currently accepted (current and previous version). */
export interface SecretSource {
  /** The accepted secrets; empty means nothing is configured and every request is refused. */
  secrets(options?: CallOptions): Promise<readonly string[]>;
  /** Called when a presented credential matched nothing: may refetch (rate-limited) to see a rotation. */
  refreshAfterMiss?(options?: CallOptions): Promise<readonly string[] | undefined>;
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
