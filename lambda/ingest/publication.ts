import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { PostbackDetail } from '../domain/event-detail';
import type { PostbackRecord } from '../domain/postback';
import { METRIC } from '../observability';
import type { EventPublisher, PostbackStore } from '../ports';
import { callOptions, TIME_RESERVE_MS } from '../runtime/deadline';

/** Retries of the mark-published write after the SDK's own attempts: 100 ms doubling, about 6 s in all. */
const MARK_PUBLISHED_RETRIES = 6;
const MARK_PUBLISHED_BASE_DELAY_MS = 100;
/**
 * The least time worth another mark-published attempt. Each attempt is cut when
 * `TIME_RESERVE_MS.afterPublish` is left (runtime/deadline.ts), so the answer is always
 * given before the deadline.
 */
const MARK_PUBLISHED_MIN_ATTEMPT_MS = 200;

export interface PublicationDeps {
  readonly store: Pick<PostbackStore, 'markPublished' | 'release'>;
  readonly publisher: EventPublisher;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * The second half of every accepted postback (the ingest function's and the status-unknown
 * sweep's synthetic one): publish the event of a claimed, pending history entry, then mark
 * it published. A publish failure gives the lease up and throws, leaving the entry pending
 * for a retry or the relay.
 *
 * @example
 * const publication = createPublication({ store, publisher, logger, metrics });
 * await publication.publishClaimed(record, { ...record.detail, isLatest: true } as PostbackDetail, context);
 */
export function createPublication(deps: PublicationDeps) {
  const { store, publisher, logger, metrics } = deps;

  /**
   * Marks the entry published, retrying with backoff while the invocation has time left.
   * Once the event is out, this write is what stops a later copy from publishing again:
   * it is worth seconds of a DynamoDB fault, not just the SDK's own three attempts.
   */
  const markPublished = async (record: PostbackRecord, context: Context): Promise<boolean> => {
    for (let attempt = 0; ; attempt++) {
      try {
        // The event is out: this write may use the time up to the answer.
        await store.markPublished(record, callOptions(context, TIME_RESERVE_MS.afterPublish));
        return true;
      } catch (error) {
        const delay = MARK_PUBLISHED_BASE_DELAY_MS * 2 ** attempt;
        const left = context.getRemainingTimeInMillis() - TIME_RESERVE_MS.afterPublish;
        if (attempt >= MARK_PUBLISHED_RETRIES || left < delay + MARK_PUBLISHED_MIN_ATTEMPT_MS) {
          // The event is out and the state is stored: answer 2xx (a 5xx would make the sender
          // retry). The entry stays pending; a copy arriving after its lease expires publishes
          // again, the one case of a double event (consumers deduplicate on postbackId).
          metrics.addMetric(METRIC.storeFailed, MetricUnit.Count, 1);
          logger.error('Event published but the history entry could not be marked published', {
            error: error as Error,
            attempts: attempt + 1,
          });
          return false;
        }
        logger.warn('Could not mark the entry published yet; retrying', { error: error as Error, attempt: attempt + 1 });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  };

  return {
    /**
     * Publishes the event and marks the entry published. Throws the publisher's error when
     * the event is not out (after giving the lease up, so that a retry proceeds at once).
     * Resolves whether the entry could be marked published.
     */
    async publishClaimed(record: PostbackRecord, detail: PostbackDetail, context: Context): Promise<boolean> {
      try {
        await publisher.publish(record, detail, callOptions(context));
      } catch (error) {
        metrics.addMetric(METRIC.publishFailed, MetricUnit.Count, 1);
        await store.release(record, callOptions(context, TIME_RESERVE_MS.afterPublish)).catch((releaseError: unknown) => {
          logger.warn('Could not release the lease; a retry proceeds once it expires', { error: releaseError as Error });
        });
        throw error;
      }
      return markPublished(record, context);
    },
  };
}
