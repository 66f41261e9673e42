/**
 * The stream publisher's use case: publish the events of a batch of new history entries, in
 * the order they were stored, and say from which record on the batch must be delivered
 * again. Plain code on a port; the sleep and the time left are injected.
 */
import type { CallOptions, EventBatchPublisher, OutgoingEvent, StoredEntry } from '../ports';
import { MAX_ENTRIES_PER_REQUEST, MAX_REQUEST_BYTES } from '../put-events-limits';
import { RebuildError, rebuildEvent } from './rebuild-event';

/** One record of the batch: its id for the partial-failure answer (the stream sequence number) and the entry it carries. */
export interface BatchItem {
  readonly itemIdentifier: string;
  /** The history entry of the record's new image; an `Error` when the image cannot be read as one. */
  readonly entry: StoredEntry | Error;
}

/** What the use case reports as it goes, told by the handler through logs and metrics. */
export interface PublishObserver {
  /** Entries of a request that failed (or the whole request) and will be tried again after `delayMs`. */
  retrying?(failed: number, attempt: number, delayMs: number, reason: string): void;
  /** A record whose event cannot be built: it is reported failed (its retries end at the on-failure destination). */
  unbuildable?(item: BatchItem, error: Error): void;
  /** The retries inside the invocation are spent: the batch is reported failed from `itemIdentifier` on. */
  gaveUp?(itemIdentifier: string, reason: string): void;
}

export interface PublishEntriesDeps {
  readonly publisher: EventBatchPublisher;
  /** Attempts of one request's failed entries inside the invocation, the first included. @default 8 */
  readonly maxAttempts?: number;
  /** First backoff, doubled per attempt, with full jitter. @default 100 */
  readonly baseDelayMs?: number;
  /** Longest backoff. @default 5000 */
  readonly maxDelayMs?: number;
  /** Whether the invocation can still wait `ms` and make one more request. @default always true */
  readonly hasTimeFor?: (ms: number) => boolean;
  /** The options of each request (the abort signal of the invocation's deadline). */
  readonly callOptions?: () => CallOptions;
  readonly sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) for the jitter. @default Math.random */
  readonly random?: () => number;
  readonly observer?: PublishObserver;
}

/** The outcome of one batch. */
export interface PublishReport {
  /** Events accepted by EventBridge in this invocation. */
  readonly published: number;
  /** The first record not published: Lambda delivers the batch again from it on. Absent when every record was published. */
  readonly failedFrom?: string;
  /** Events published in this invocation from records at or after {@link failedFrom}: they will be sent again. */
  readonly resent: number;
  /** Entries (or whole requests' entries) tried again inside the invocation. */
  readonly retried: number;
}

interface Built {
  readonly index: number;
  readonly item: BatchItem;
  readonly event: OutgoingEvent;
  readonly size: number;
}

/**
 * Publishes a batch of stream records.
 *
 * - The records are cut into PutEvents requests of at most 10 entries and 256 KB, in
 *   stream order, with at most one entry per tracking-id per request: the requests go one
 *   after the other, so the events of a message leave in the order its entries were stored.
 * - Entries refused inside a request (or a request that failed as a whole) are tried again,
 *   alone, with exponential backoff and full jitter, while the invocation has time.
 * - When they still fail, nothing after them is sent, and the answer names the first
 *   record of the batch not published: Lambda re-delivers from it on. Events of later
 *   records already published in that request will be sent again (`resent`).
 * - A record whose event cannot be built is reported the same way (after the records
 *   before it are published): the mapping's bounded retries and bisection isolate it and
 *   send it to the on-failure destination.
 *
 * @example
 * const report = await createPublishEntries({ publisher }).publish(items);
 * return { batchItemFailures: report.failedFrom ? [{ itemIdentifier: report.failedFrom }] : [] };
 */
export function createPublishEntries(deps: PublishEntriesDeps) {
  const maxAttempts = deps.maxAttempts ?? 8;
  const baseDelayMs = deps.baseDelayMs ?? 100;
  const maxDelayMs = deps.maxDelayMs ?? 5_000;
  const hasTimeFor = deps.hasTimeFor ?? (() => true);
  const callOptions = deps.callOptions ?? (() => ({}));
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  const observer = deps.observer ?? {};

  /** Publishes one request's entries, retrying the failed ones; the indexes still failing (empty: all out). */
  const publishRequest = async (request: readonly Built[], counts: { published: number; retried: number }): Promise<Built[]> => {
    let pending = [...request];
    for (let attempt = 1; ; attempt++) {
      let failed: Built[];
      let reason: string;
      try {
        const results = await deps.publisher.publishBatch(
          pending.map((built) => built.event),
          callOptions(),
        );
        failed = pending.filter((_, i) => results[i]?.ok !== true);
        const firstError = results.find((result) => !result.ok);
        reason = firstError && !firstError.ok ? `${firstError.errorCode} ${firstError.errorMessage ?? ''}`.trim() : '';
      } catch (error) {
        failed = pending;
        reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      counts.published += pending.length - failed.length;
      if (failed.length === 0) return [];
      const delayMs = Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
      if (attempt >= maxAttempts || !hasTimeFor(delayMs)) {
        observer.gaveUp?.(failed[0]?.item.itemIdentifier ?? '', reason);
        return failed;
      }
      observer.retrying?.(failed.length, attempt, delayMs, reason);
      counts.retried += failed.length;
      await sleep(delayMs);
      pending = failed;
    }
  };

  return {
    async publish(items: readonly BatchItem[]): Promise<PublishReport> {
      // Build the events in order, up to the first record that cannot be built.
      const built: Built[] = [];
      let unbuildable: number | undefined;
      for (const [index, item] of items.entries()) {
        try {
          if (item.entry instanceof Error) throw item.entry;
          const { record, detail } = rebuildEvent(item.entry);
          const event: OutgoingEvent = { record, detail };
          built.push({ index, item, event, size: deps.publisher.entrySize(event) });
        } catch (error) {
          const cause = error instanceof Error ? error : new RebuildError(String(error));
          observer.unbuildable?.(item, cause);
          unbuildable = index;
          break;
        }
      }

      const counts = { published: 0, retried: 0 };
      let start = 0;
      while (start < built.length) {
        const request = cutRequest(built, start);
        const stillFailing = await publishRequest(request, counts);
        if (stillFailing.length > 0) {
          const first = Math.min(...stillFailing.map((b) => b.index));
          const failing = new Set(stillFailing.map((b) => b.index));
          const resent = request.filter((b) => b.index > first && !failing.has(b.index)).length;
          return { published: counts.published, failedFrom: items[first]?.itemIdentifier, resent, retried: counts.retried };
        }
        start += request.length;
      }
      return {
        published: counts.published,
        ...(unbuildable === undefined ? {} : { failedFrom: items[unbuildable]?.itemIdentifier }),
        resent: 0,
        retried: counts.retried,
      };
    },
  };
}

/**
 * The next request from `start`: at most {@link MAX_ENTRIES_PER_REQUEST} entries and
 * {@link MAX_REQUEST_BYTES} bytes, and no two entries of one tracking-id. Always at least
 * one entry (an entry over the limit alone is refused by EventBridge and reported failed).
 */
function cutRequest(built: readonly Built[], start: number): Built[] {
  const request: Built[] = [];
  const trackingIds = new Set<string>();
  let bytes = 0;
  for (let i = start; i < built.length; i++) {
    const next = built[i] as Built;
    const full =
      request.length >= MAX_ENTRIES_PER_REQUEST || bytes + next.size > MAX_REQUEST_BYTES || trackingIds.has(next.event.record.trackingId);
    if (request.length > 0 && full) break;
    request.push(next);
    trackingIds.add(next.event.record.trackingId);
    bytes += next.size;
  }
  return request;
}
