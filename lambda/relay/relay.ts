/**
 * The relay's use case: publish every history entry whose event is not out after its
 * lease, and mark it published. Plain code; the clock and sleep are injected.
 *
 * Safety against a sender's retry of the same postback: the relay takes the entry's lease
 * with the claim's own conditional write (pending, lease expired) before publishing, so
 * that a retry meanwhile waits (503) and, once the entry is marked, is a duplicate. Without
 * faults, one event per postback. The one double: the event went out but the entry could
 * not be marked; the next taker (relay or retry, after the lease) publishes once more.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { PostbackDetail, PostbackFormat } from '../domain/event-detail';
import { statusUnknownPostbackId } from '../domain/identity';
import { interpretPostback, type PostbackRecord } from '../domain/postback';
import { statusUnknownRecord, waitingMessageFromBody } from '../domain/status-unknown';
import { validatePostback } from '../domain/validate';
import { parseXmlPostback } from '../http/xml-postback';
import type { EventPublisher, PendingEntry, RelayStore, StoredEntryKey } from '../ports';

/** The stored entry cannot be turned back into its event (its body no longer validates, or it names another postback). */
export class RebuildError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RebuildError';
  }
}

/**
 * The event of a stored entry, built from its body by the same domain code as the ingest
 * function (`validatePostback`, `interpretPostback`, in the body's format: JSON or the
 * provider's XML), or, for the sweep's synthetic postback, by `statusUnknownRecord` from the
 * waiting message stored as its body; with the receipt time and `isLatest` of its claim:
 * the Detail the ingest function (or the sweep) would have published.
 *
 * @example
 * const { record, detail } = rebuildEvent(entry);
 * await publisher.publish(record, detail);
 */
export function rebuildEvent(entry: PendingEntry): { record: PostbackRecord; detail: PostbackDetail } {
  const receivedAt = new Date(entry.receivedAt);
  if (Number.isNaN(receivedAt.getTime())) throw new RebuildError(`the stored receivedAt is not a time: "${entry.receivedAt}"`);
  const record =
    entry.postbackId === statusUnknownPostbackId(entry.trackingId)
      ? statusUnknownRecord(
          parsed(() => waitingMessageFromBody(entry.body)),
          receivedAt,
        )
      : postbackRecord(entry.body, receivedAt);
  if (record.postbackId !== entry.postbackId) {
    throw new RebuildError(`the stored body gives postbackId ${record.postbackId}, the entry is ${entry.postbackId}`);
  }
  return { record, detail: { ...record.detail, isLatest: entry.isLatest } as PostbackDetail };
}

/** A provider postback's record from its body as received: XML when it starts with `<` (an accepted JSON body is an object). */
function postbackRecord(body: string, receivedAt: Date): PostbackRecord {
  const format: PostbackFormat = body.trimStart().startsWith('<') ? 'xml' : 'json';
  const json = parsed(() => (format === 'xml' ? parseXmlPostback(body) : JSON.parse(body)));
  const result = validatePostback(json);
  if (!result.ok) throw new RebuildError(`the stored body no longer validates: ${JSON.stringify(result.details)}`);
  return interpretPostback(result.postback, receivedAt, format);
}

function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (cause) {
    throw new RebuildError(`the stored body cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Where the relay logs: the Powertools logger of the handler. */
export type RelayLog = Pick<Logger, 'info' | 'error'>;

export interface RelayDeps {
  readonly store: RelayStore;
  readonly publisher: EventPublisher;
  /** The lease the relay takes per entry (the claim's lease); must exceed the time one entry takes. */
  readonly leaseSeconds: number;
  /** At most this many entries per run. @default 500 */
  readonly batchSize?: number;
  /** Entries worked on at once. @default 8 */
  readonly concurrency?: number;
  /** False once there is no time left to take another lease (the handler asks its invocation). @default always true */
  readonly hasTimeLeft?: () => boolean;
  readonly log?: RelayLog;
  readonly clock?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The outcome of one run. */
export interface RelayReport {
  /** Pending entries whose lease had expired when the run looked. */
  readonly due: number;
  /** Events published (and entries marked, unless counted in `unmarked`). */
  readonly published: number;
  /** Published, but the entry could not be marked: the next taker publishes once more. */
  readonly unmarked: number;
  /** Taken meanwhile by a sender's retry or another run, or published meanwhile. */
  readonly skipped: number;
  /** Could not be published (publish failed, or the entry cannot be rebuilt); left unpublished. */
  readonly failed: number;
  /** Age of the oldest due entry (now minus its receipt), in whole seconds; 0 when none. */
  readonly oldestAgeSeconds: number;
}

/** Attempts of the mark-published write after publishing (100 ms doubling). */
const MARK_ATTEMPTS = 4;
const MARK_BASE_DELAY_MS = 100;

/**
 * @example
 * const report = await createRelay({ store, publisher, leaseSeconds: 60 }).run();
 */
export function createRelay(deps: RelayDeps) {
  const clock = deps.clock ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const hasTimeLeft = deps.hasTimeLeft ?? (() => true);
  const log = deps.log;

  const markPublished = async (key: StoredEntryKey): Promise<boolean> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.store.markPublished(key);
        return true;
      } catch (error) {
        if (attempt >= MARK_ATTEMPTS) {
          log?.error('Relay published the event but could not mark the entry; it will be published once more', {
            key,
            error: error as Error,
          });
          return false;
        }
        await sleep(MARK_BASE_DELAY_MS * 2 ** (attempt - 1));
      }
    }
  };

  return {
    async run(): Promise<RelayReport> {
      const started = clock();
      const keys = await deps.store.listDue(started, deps.batchSize ?? 500);
      const counts = { published: 0, unmarked: 0, skipped: 0, failed: 0 };
      let oldestMs = 0;
      const noteAge = (receivedAt: string | undefined) => {
        const at = receivedAt === undefined ? Number.NaN : Date.parse(receivedAt);
        if (!Number.isNaN(at)) oldestMs = Math.max(oldestMs, started.getTime() - at);
      };

      const relayOne = async (key: StoredEntryKey): Promise<void> => {
        const lease = await deps.store.takeLease(key, clock(), deps.leaseSeconds);
        if (lease.outcome === 'not_due') {
          noteAge(lease.receivedAt);
          counts.skipped += 1;
          return;
        }
        const entry = lease.entry;
        noteAge(entry.receivedAt);
        let event: ReturnType<typeof rebuildEvent>;
        try {
          event = rebuildEvent(entry);
          await deps.publisher.publish(event.record, event.detail);
        } catch (error) {
          counts.failed += 1;
          log?.error('Relay could not publish the entry; it stays unpublished', {
            trackingId: entry.trackingId,
            postbackId: entry.postbackId,
            error: error as Error,
          });
          await deps.store.release(key).catch(() => undefined);
          return;
        }
        counts.published += 1;
        if (!(await markPublished(key))) counts.unmarked += 1;
        log?.info('Relay published an entry left unpublished', {
          trackingId: entry.trackingId,
          postbackId: entry.postbackId,
          detailType: event.record.detailType,
          receivedAt: entry.receivedAt,
        });
      };

      // A small pool of workers over the due keys; each stops when the invocation runs short of time.
      let next = 0;
      const worker = async () => {
        while (next < keys.length && hasTimeLeft()) {
          const key = keys[next++] as StoredEntryKey;
          try {
            await relayOne(key);
          } catch (error) {
            counts.failed += 1;
            log?.error('Relay could not take the lease of an entry', { key, error: error as Error });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, deps.concurrency ?? 8) }, worker));
      return { due: keys.length, ...counts, oldestAgeSeconds: Math.floor(oldestMs / 1000) };
    },
  };
}
