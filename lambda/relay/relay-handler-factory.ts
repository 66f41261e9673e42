import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DynamoDbRelayStore } from '../adapters/dynamodb-relay-store';
import { EventBridgePublisher } from '../adapters/eventbridge-publisher';
import { loadAwsConfig, loadRelayConfig, type RelayConfig } from '../config';
import { METRIC } from '../observability';
import type { EventPublisher, RelayStore } from '../ports';
import { awsClientConfig } from '../runtime/aws-clients';
import { createRelay, type RelayReport } from './relay';

/**
 * Time kept free at the end of an invocation: no new lease is taken after it. One entry
 * takes at most a lease write, a PutEvents and a few mark-published attempts (each SDK
 * call at most 3 attempts of 3 s), well inside it and inside the lease.
 */
const RESERVE_MS = 20_000;

export interface RelayHandlerDeps {
  readonly config: Pick<RelayConfig, 'leaseSeconds' | 'batchSize'>;
  readonly store: RelayStore;
  readonly publisher: EventPublisher;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The time source; tests pass a fixed clock. */
  readonly clock?: () => Date;
}

/**
 * Builds the scheduled relay handler: one run publishes every history entry left
 * unpublished after its lease, then emits the age of the oldest one it found (0 when
 * none), so that the alarm sees a value every run.
 *
 * @example
 * export const handler = createRelayHandler(defaultRelayDeps());
 */
export function createRelayHandler(deps: RelayHandlerDeps) {
  const { logger, metrics } = deps;
  const run = async (_event: unknown, context: Context): Promise<RelayReport> => {
    const report = await createRelay({
      store: deps.store,
      publisher: deps.publisher,
      leaseSeconds: deps.config.leaseSeconds,
      batchSize: deps.config.batchSize,
      hasTimeLeft: () => context.getRemainingTimeInMillis() > RESERVE_MS,
      log: logger,
      clock: deps.clock,
    }).run();
    metrics.addMetric(METRIC.oldestUnpublishedAge, MetricUnit.Seconds, report.oldestAgeSeconds);
    metrics.addMetric(METRIC.relayPublished, MetricUnit.Count, report.published);
    metrics.addMetric(METRIC.relayFailed, MetricUnit.Count, report.failed);
    if (report.due > 0) logger.info('Relay run', { ...report });
    return report;
  };
  return middy<unknown, RelayReport, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler(run);
}

/**
 * The production wiring: configuration from the environment, SDK v3 clients with the
 * functions' settings, created once per container (endpoints only through the
 * standard `AWS_ENDPOINT_URL_*` variables).
 *
 * @example
 * const deps = defaultRelayDeps({ ...process.env, TABLE_NAME: 'postbacks', EVENT_BUS_NAME: 'bus' });
 */
export function defaultRelayDeps(env: Readonly<Record<string, string | undefined>> = process.env): RelayHandlerDeps {
  const config = loadRelayConfig(env);
  const aws = loadAwsConfig(env);
  // The functions' client settings: short timeouts, so a stalled call fails well inside the entry's lease.
  const dynamodb = new DynamoDBClient(awsClientConfig({ region: aws.region, endpoint: aws.endpoints.dynamodb }));
  const eventbridge = new EventBridgeClient(awsClientConfig({ region: aws.region, endpoint: aws.endpoints.eventbridge }));
  return {
    config,
    store: new DynamoDbRelayStore(dynamodb, config.tableName),
    publisher: new EventBridgePublisher({
      client: eventbridge,
      eventBusName: config.eventBusName,
      source: config.eventSource,
    }),
    logger: new Logger({ serviceName: config.serviceName }),
    metrics: new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName }),
  };
}
