import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { DynamoDbStatusDue } from '../adapters/dynamodb-status-due';
import { loadAwsConfig, loadStoreConfig, loadSweepConfig, type SweepConfig } from '../config';
import { ingestAdapters } from '../ingest/ingest-handler-factory';
import { METRIC } from '../observability';
import { callOptions } from '../platform/deadline';
import { functionMiddy, type MeasuredFunctionDeps } from '../platform/function-setup';
import type { StatusDueSource, StatusUnknownStore } from '../ports';
import { createStatusUnknownSweepRun, type SweepResult } from './status-unknown-sweep';

export type { SweepResult } from './status-unknown-sweep';

/** Time kept free at the end of a run: no new message is taken when less is left. */
const RUN_RESERVE_MS = 10_000;

export interface SweepDeps extends MeasuredFunctionDeps {
  readonly config: Pick<SweepConfig, 'maxPerRun' | 'pageSize'>;
  readonly due: StatusDueSource;
  readonly store: StatusUnknownStore;
}

/**
 * Builds the scheduled status-unknown sweep handler: one run of the use case
 * (`status-unknown-sweep.ts`) per invocation, bounded by `maxPerRun` and the time left;
 * what is left stays due in the index and is taken by the next run. The synthetic
 * entries' events follow from the table's stream.
 *
 * @example
 * export const handler = createStatusUnknownSweep(defaultSweepDeps());
 */
export function createStatusUnknownSweep(deps: SweepDeps) {
  const { config, logger, metrics } = deps;

  const sweep = async (_event: unknown, context: Context): Promise<SweepResult> => {
    const result = await createStatusUnknownSweepRun({
      due: deps.due,
      store: deps.store,
      maxPerRun: config.maxPerRun,
      pageSize: config.pageSize,
      hasTimeLeft: () => context.getRemainingTimeInMillis() >= RUN_RESERVE_MS,
      callOptions: () => callOptions(context),
      clock: deps.clock,
      observer: {
        messageFailed(trackingId, error) {
          logger.error('Could not declare the message unknown; the next run retries', { trackingId, error: error as Error });
        },
        shardFailed(shard, error) {
          logger.error('Could not read the due messages of a shard; the next run retries', { shard, error: error as Error });
        },
      },
    })();
    metrics.addMetric(METRIC.statusUnknown, MetricUnit.Count, result.marked);
    logger.info('Status-unknown sweep done', { ...result });
    return result;
  };

  return functionMiddy<ScheduledEvent | Record<string, never>, SweepResult>(deps).handler(sweep);
}

/**
 * The production wiring: the ingest function's store (same table), without its secret
 * source; its DynamoDB client also runs the index queries (endpoint only through the
 * standard `AWS_ENDPOINT_URL_*` variables).
 *
 * @example
 * const deps = defaultSweepDeps({ ...process.env, STATUS_UNKNOWN_AFTER_SECONDS: '259200' });
 */
export function defaultSweepDeps(env: Readonly<Record<string, string | undefined>> = process.env): SweepDeps {
  const config = loadSweepConfig(env);
  const storeConfig = loadStoreConfig(env);
  const adapters = ingestAdapters(storeConfig, loadAwsConfig(env));
  return {
    config,
    due: new DynamoDbStatusDue(adapters.clients.dynamodb, storeConfig.tableName),
    store: adapters.store,
    logger: adapters.logger,
    metrics: adapters.metrics,
    tracer: adapters.tracer,
  };
}
