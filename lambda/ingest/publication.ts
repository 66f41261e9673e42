import type { PostbackDetail } from '../domain/event-detail';
import type { PostbackRecord } from '../domain/postback';
import type { EventPublisher, PostbackStore } from '../ports';
import { callOptions, TIME_RESERVE_MS } from '../runtime/deadline';

/** The time an invocation has left before its deadline (a Lambda `Context` is one). */
export interface InvocationTime {
  getRemainingTimeInMillis(): number;
}

/** Waits `ms` milliseconds. Injected, so that a test passes time without waiting for it. */
export type Sleep = (ms: number) => Promise<void>;

/**
 * Waits in real time (a timer).
 *
 * @example
 * await realSleep(100);
 */
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How the mark-published write is retried after the SDK's own attempts: a delay of
 * `baseDelayMs` before the first retry, doubling before each next one, at most `retries`
 * retries, and only while the invocation has time for the delay and `minAttemptMs` more.
 */
export interface MarkPublishedRetryPolicy {
  readonly retries: number;
  readonly baseDelayMs: number;
  /**
   * The least time worth another attempt. Each attempt is cut when
   * `TIME_RESERVE_MS.afterPublish` is left (runtime/deadline.ts), so the answer is always
   * given before the deadline.
   */
  readonly minAttemptMs: number;
}

/** 100 ms doubling, 6 retries: about 6 s of a DynamoDB fault in all. */
export const MARK_PUBLISHED_RETRY: MarkPublishedRetryPolicy = { retries: 6, baseDelayMs: 100, minAttemptMs: 200 };

/**
 * What publishing reports as it goes. The handlers turn it into logs and metrics
 * (`publicationTelemetry` in `observability.ts`); the publication itself neither logs nor counts.
 */
export interface PublicationObserver {
  /** The event is not out; the lease is given up next. */
  publishFailed(error: unknown): void;
  /** Giving the lease up failed too: a retry proceeds once the lease expires. */
  releaseFailed(error: unknown): void;
  /** A mark-published attempt failed and another follows after the policy's delay. */
  markPublishedRetrying(error: unknown, attempt: number): void;
  /** The event is out but the entry could not be marked published: it stays unpublished. */
  markPublishedAbandoned(error: unknown, attempts: number): void;
}

export interface PublicationDeps {
  readonly store: Pick<PostbackStore, 'markPublished' | 'release'>;
  readonly publisher: EventPublisher;
  readonly observer: PublicationObserver;
  /** @default realSleep */
  readonly sleep?: Sleep;
  /** @default MARK_PUBLISHED_RETRY */
  readonly retry?: MarkPublishedRetryPolicy;
}

/**
 * The second half of every accepted postback (the ingest use case's and the status-unknown
 * sweep's synthetic one): publish the event of a claimed, unpublished history entry, then
 * mark it published. A publish failure gives the lease up and throws, leaving the entry
 * unpublished for a retry or the relay.
 *
 * @example
 * const publication = createPublication({ store, publisher, observer: publicationTelemetry(logger, metrics) });
 * await publication.publishClaimed(record, { ...record.detail, isLatest: true } as PostbackDetail, context);
 */
export function createPublication(deps: PublicationDeps) {
  const { store, publisher, observer } = deps;
  const sleep = deps.sleep ?? realSleep;
  const policy = deps.retry ?? MARK_PUBLISHED_RETRY;

  /**
   * Marks the entry published, retrying with backoff while the invocation has time left.
   * Once the event is out, this write is what stops a later copy from publishing again:
   * it is worth seconds of a DynamoDB fault, not just the SDK's own three attempts.
   */
  const markPublished = async (record: PostbackRecord, invocation: InvocationTime): Promise<boolean> => {
    for (let attempt = 0; ; attempt++) {
      try {
        // The event is out: this write may use the time up to the answer.
        await store.markPublished(record, callOptions(invocation, TIME_RESERVE_MS.afterPublish));
        return true;
      } catch (error) {
        const delay = policy.baseDelayMs * 2 ** attempt;
        const left = invocation.getRemainingTimeInMillis() - TIME_RESERVE_MS.afterPublish;
        if (attempt >= policy.retries || left < delay + policy.minAttemptMs) {
          // The event is out and the state is stored: answer 2xx (a 5xx would make the sender
          // retry). The entry stays unpublished; a copy arriving after its lease expires publishes
          // again, the one case of a double event (consumers deduplicate on postbackId).
          observer.markPublishedAbandoned(error, attempt + 1);
          return false;
        }
        observer.markPublishedRetrying(error, attempt + 1);
        await sleep(delay);
      }
    }
  };

  return {
    /**
     * Publishes the event and marks the entry published. Throws the publisher's error when
     * the event is not out (after giving the lease up, so that a retry proceeds at once).
     * Resolves whether the entry could be marked published.
     */
    async publishClaimed(record: PostbackRecord, detail: PostbackDetail, invocation: InvocationTime): Promise<boolean> {
      try {
        await publisher.publish(record, detail, callOptions(invocation));
      } catch (error) {
        observer.publishFailed(error);
        await store.release(record, callOptions(invocation, TIME_RESERVE_MS.afterPublish)).catch((releaseError: unknown) => {
          observer.releaseFailed(releaseError);
        });
        throw error;
      }
      return markPublished(record, invocation);
    },
  };
}
