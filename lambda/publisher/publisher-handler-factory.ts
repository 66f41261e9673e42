import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { EventBridgePublisher } from '../adapters/eventbridge-publisher';
import { storedEntryOf } from '../adapters/item-readers';
import { loadAwsConfig, loadPublisherConfig } from '../config';
import { METRIC } from '../observability';
import { functionClientConfig } from '../platform/aws-clients';
import { callOptions } from '../platform/deadline';
import { functionMiddy } from '../platform/function-setup';
import { createTracer, traced } from '../platform/tracing';
import type { EventBatchPublisher } from '../ports';
import { type BatchItem, createPublishEntries } from './publish-entries';

/**
 * Time kept free at the end of an invocation: no retry wait starts, and every PutEvents is
 * abandoned, when less is left, so that the invocation answers (with its partial failure)
 * before its timeout instead of failing the whole batch.
 */
export const PUBLISHER_RESERVE_MS = 5_000;

export interface PublisherDeps {
  readonly publisher: EventBatchPublisher;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Absent when tracing is off. */
  readonly tracer?: Tracer;
  /** How retries wait; tests pass one that returns at once. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Attempts of a request's failed entries inside one invocation. @default 8 */
  readonly maxAttempts?: number;
}

/** The record's key in the partial-failure answer: its sequence number (what Lambda expects for a stream). */
function itemIdentifier(record: DynamoDBRecord): string {
  return record.dynamodb?.SequenceNumber ?? '';
}

function batchItem(record: DynamoDBRecord): BatchItem {
  try {
    return { itemIdentifier: itemIdentifier(record), entry: storedEntryOf(record.dynamodb?.NewImage) };
  } catch (error) {
    return { itemIdentifier: itemIdentifier(record), entry: error instanceof Error ? error : new Error(String(error)) };
  }
}

/**
 * Builds the stream publisher: for a batch of new history entries from the table's stream
 * (the event source mapping passes only those, see `stream-filter.ts`), publishes their
 * events (`publish-entries.ts`) and answers the partial batch failure Lambda expects with
 * `ReportBatchItemFailures`: the first record not published, from which Lambda delivers the
 * batch again
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html).
 *
 * Metrics: `EventsPublished`, `EventsResent` (events already published that the re-delivery
 * sends again), `PublishRetried`, `EventUnbuildable`.
 *
 * @example
 * export const handler = createPublisherHandler(defaultPublisherDeps());
 */
export function createPublisherHandler(deps: PublisherDeps) {
  const { logger, metrics } = deps;

  const publish = async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
    const items = event.Records.map(batchItem);
    const timeLeft = () => context.getRemainingTimeInMillis() - PUBLISHER_RESERVE_MS;
    const report = await createPublishEntries({
      publisher: deps.publisher,
      maxAttempts: deps.maxAttempts,
      sleep: deps.sleep,
      hasTimeFor: (ms) => timeLeft() > ms,
      callOptions: () => callOptions(context, PUBLISHER_RESERVE_MS),
      observer: {
        retrying(failed, attempt, delayMs, reason) {
          logger.warn('PutEvents failed for some entries; retrying them', { failed, attempt, delayMs, reason });
        },
        unbuildable(item, error) {
          metrics.addMetric(METRIC.eventUnbuildable, MetricUnit.Count, 1);
          logger.error('A history entry cannot be turned into its event; reported failed', {
            sequenceNumber: item.itemIdentifier,
            error,
          });
        },
        gaveUp(sequenceNumber, reason) {
          logger.error('PutEvents still fails after the retries of this invocation; the batch is delivered again from this record', {
            sequenceNumber,
            reason,
          });
        },
      },
    }).publish(items);

    metrics.addMetric(METRIC.eventsPublished, MetricUnit.Count, report.published);
    metrics.addMetric(METRIC.eventsResent, MetricUnit.Count, report.resent);
    metrics.addMetric(METRIC.publishRetried, MetricUnit.Count, report.retried);
    return { batchItemFailures: report.failedFrom === undefined ? [] : [{ itemIdentifier: report.failedFrom }] };
  };

  return functionMiddy<DynamoDBStreamEvent, DynamoDBBatchResponse>(deps).handler(publish);
}

/**
 * The production wiring: configuration from the environment, the EventBridge client
 * created once per container (its endpoint only through `AWS_ENDPOINT_URL_EVENTBRIDGE`)
 * and captured by the tracer.
 *
 * @example
 * const deps = defaultPublisherDeps({ ...process.env, EVENT_BUS_NAME: 'postbacks' });
 */
export function defaultPublisherDeps(env: Readonly<Record<string, string | undefined>> = process.env): PublisherDeps {
  const config = loadPublisherConfig(env);
  const aws = loadAwsConfig(env);
  const tracer = createTracer(config.serviceName, aws.tracingEnabled);
  const eventbridge = traced(tracer, new EventBridgeClient(functionClientConfig(aws, 'eventbridge')));
  return {
    publisher: new EventBridgePublisher({ client: eventbridge, eventBusName: config.eventBusName, source: config.eventSource }),
    logger: new Logger({ serviceName: config.serviceName }),
    metrics: new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName }),
    tracer,
  };
}
