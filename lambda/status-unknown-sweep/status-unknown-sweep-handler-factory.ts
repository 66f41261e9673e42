import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { DynamoDbStatusDue } from '../adapters/dynamodb-status-due';
import { SHARDS } from '../adapters/item-vocabulary';
import { loadAwsConfig, loadIngestConfig, loadSweepConfig, type SweepConfig } from '../config';
import type { PostbackDetail } from '../domain/event-detail';
import { statusUnknownRecord, type WaitingMessage } from '../domain/status-unknown';
import { ingestAdapters } from '../ingest/ingest-handler-factory';
import { createPublication, type Sleep } from '../ingest/publication';
import { METRIC, publicationTelemetry } from '../observability';
import type { EventPublisher, StatusDueSource, StatusUnknownStore } from '../ports';
import { callOptions } from '../runtime/deadline';

/** Time kept free at the end of a run: the last message's publish and mark-published (see `createPublication`). */
const RUN_RESERVE_MS = 10_000;

export interface SweepDeps {
  readonly config: Pick<SweepConfig, 'maxPerRun' | 'pageSize'>;
  readonly due: StatusDueSource;
  readonly store: StatusUnknownStore;
  readonly publisher: EventPublisher;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The time source; tests pass a fixed clock. */
  readonly clock?: () => Date;
  /** How the mark-published retries wait; tests pass one that returns at once. @default realSleep */
  readonly sleep?: Sleep;
}

/** What one run did. */
export interface SweepResult {
  /** Messages declared unknown and published. */
  marked: number;
  /** Messages that got a final postback first (nothing written). */
  superseded: number;
  /** Messages already declared unknown, or being declared so by a concurrent run. */
  alreadyDone: number;
  /** Messages that failed (left for the next run, or for the relay when only the publish failed). */
  failed: number;
  /** Whether the run stopped at its budget (messages or time) with due messages possibly left. */
  more: boolean;
}

/**
 * Builds the scheduled status-unknown sweep: for every shard of the `byStatusDue` index,
 * pages through the messages whose wait is over and, for each still not final, writes the
 * synthetic `MMS Status Unknown` postback and state atomically (only while the state is
 * still not final), publishes its event and marks it published, with the same unpublished /
 * published life cycle as any postback. Work per run is bounded (`maxPerRun`, the time
 * left); what is left stays due in the index and is taken by the next run.
 *
 * @example
 * export const handler = createStatusUnknownSweep(defaultSweepDeps());
 */
export function createStatusUnknownSweep(deps: SweepDeps) {
  const { config, due, store, logger, metrics } = deps;
  const clock = deps.clock ?? (() => new Date());
  const publication = createPublication({ ...deps, observer: publicationTelemetry(logger, metrics) });

  const sweep = async (_event: unknown, context: Context): Promise<SweepResult> => {
    const now = clock();
    const result: SweepResult = { marked: 0, superseded: 0, alreadyDone: 0, failed: 0, more: false };
    let budget = config.maxPerRun;
    const outOfBudget = () => budget <= 0 || context.getRemainingTimeInMillis() < RUN_RESERVE_MS;

    const markUnknown = async (message: WaitingMessage): Promise<void> => {
      const at = clock(); // one "now" for the record and its claim
      const record = statusUnknownRecord(message, at);
      // The shards claim concurrently: the budget is taken before the claim (in the same turn
      // as the `outOfBudget` check) and given back when nothing was claimed, so that a run
      // never claims more than `maxPerRun` messages.
      budget--;
      let claimed = false;
      try {
        const claim = await store.claimStatusUnknown(record, at, callOptions(context));
        if (claim.outcome === 'superseded') result.superseded++;
        else if (claim.outcome !== 'claimed') result.alreadyDone++;
        else claimed = true;
      } finally {
        if (!claimed) budget++;
      }
      if (!claimed) return;
      await publication.publishClaimed(record, { ...record.detail, isLatest: true } as PostbackDetail, context);
      result.marked++;
    };

    const sweepShard = async (shard: string): Promise<void> => {
      let startKey: Record<string, unknown> | undefined;
      do {
        if (outOfBudget()) {
          result.more = true;
          return;
        }
        const page = await due.duePage(shard, now, config.pageSize, startKey);
        for (const message of page.messages) {
          if (outOfBudget()) {
            result.more = true;
            return;
          }
          try {
            await markUnknown(message);
          } catch (error) {
            result.failed++;
            logger.error('Could not declare the message unknown; the next run or the relay retries', {
              trackingId: message.trackingId,
              error: error as Error,
            });
          }
        }
        startKey = page.nextKey;
      } while (startKey);
    };

    const shards = await Promise.allSettled(SHARDS.map(sweepShard));
    for (const [i, shard] of shards.entries()) {
      if (shard.status === 'rejected') {
        result.more = true;
        logger.error('Could not read the due messages of a shard; the next run retries', {
          shard: SHARDS[i],
          error: shard.reason as Error,
        });
      }
    }
    metrics.addMetric(METRIC.statusUnknown, MetricUnit.Count, result.marked);
    logger.info('Status-unknown sweep done', { ...result });
    return result;
  };

  return middy<ScheduledEvent | Record<string, never>, SweepResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler(sweep);
}

/**
 * The production wiring: the ingest function's store and publisher (same table, bus and
 * lease), without its secret source; its DynamoDB client also runs the index queries
 * (endpoint only through the standard `AWS_ENDPOINT_URL_*` variables).
 *
 * @example
 * const deps = defaultSweepDeps({ ...process.env, STATUS_UNKNOWN_AFTER_SECONDS: '259200' });
 */
export function defaultSweepDeps(env: Readonly<Record<string, string | undefined>> = process.env): SweepDeps {
  const config = loadSweepConfig(env);
  const ingestConfig = loadIngestConfig(env);
  const ingest = ingestAdapters(ingestConfig, loadAwsConfig(env));
  return {
    config,
    due: new DynamoDbStatusDue(ingest.clients.dynamodb, ingestConfig.tableName),
    store: ingest.store,
    publisher: ingest.publisher,
    logger: ingest.logger,
    metrics: ingest.metrics,
  };
}
