import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULTS, publisherEnvironment } from '../lambda/config-contract';
import { PUBLISHER_STREAM_FILTER } from '../lambda/publisher/stream-filter';
import { busReference, publishEventsStatement } from './event-bus-access';
import { RECEIVER_DEFAULTS } from './receiver-props';

/** Timeout of the publisher function: room for its retries of failed entries with backoff inside one invocation. */
export const PUBLISHER_TIMEOUT = Duration.seconds(DEFAULTS.publisherTimeoutSeconds);

/** Properties of {@link PostbackPublisher}. */
export interface PostbackPublisherProps {
  /** The function running `lambda/handlers/publisher.ts` (timeout {@link PUBLISHER_TIMEOUT}). */
  readonly function: lambda.Function;
  /** The receiver's table, with its stream (new images). */
  readonly table: dynamodb.ITableV2;
  /** The bus the events go to. */
  readonly eventBus: events.IEventBus;
  /** The `Source` of the events. */
  readonly eventSource: string;
  /**
   * The `service` dimension of the function's metrics and logs.
   *
   * @default 'mms-postbacks'
   */
  readonly serviceName?: string;
  /**
   * Powertools Tracer in the function (with the function's active tracing).
   *
   * @default - not set (off)
   */
  readonly tracing?: boolean;
  /**
   * Stream records per invocation, 1 to 10.
   *
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * How long the mapping gathers records before it invokes the function.
   *
   * @default Duration.seconds(1)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Retries of a batch reported failed before its records go to the on-failure queue.
   *
   * @default 5
   */
  readonly retryAttempts?: number;
}

/**
 * The outbox publisher: the event source mapping of the publisher function on the table's
 * stream, and its on-failure queue. The mapping:
 *
 * - passes only inserts of history entries (the filter {@link PUBLISHER_STREAM_FILTER}):
 *   state updates, TTL removals and rejected records never invoke the function;
 * - starts at `TRIM_HORIZON` (nothing stored before the mapping existed is skipped);
 * - takes up to `batchSize` records within `maxBatchingWindow`;
 * - reads the function's partial batch failures (`ReportBatchItemFailures`), bisects a
 *   failing batch, retries it `retryAttempts` times, then sends a record of the failed
 *   batch (stream, shard and sequence numbers; not the items) to the on-failure queue
 *   (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html).
 *
 * The function gets its environment (bus, source) and `events:PutEvents` on the bus for
 * the receiver's `Source` only; the mapping grants it the stream reads and the queue send.
 * Alarms (on-failure queue, `IteratorAge`) are built by `PostbackMonitoring`.
 *
 * @example
 * new PostbackPublisher(this, 'Publisher', { function: fn, table, eventBus, eventSource: 'mms.postbacks' });
 */
export class PostbackPublisher extends Construct {
  /** The publisher function. */
  public readonly function: lambda.Function;
  /** Where the mapping sends a record of each batch it gave up on (SQS, kept 14 days). */
  public readonly onFailureQueue: sqs.Queue;
  /** The event source mapping on the table's stream. */
  public readonly eventSource: sources.DynamoEventSource;

  constructor(scope: Construct, id: string, props: PostbackPublisherProps) {
    super(scope, id);
    const fn = props.function;
    this.function = fn;
    const environment = publisherEnvironment({
      eventBusName: busReference(props.eventBus),
      eventSource: props.eventSource,
      serviceName: props.serviceName,
      tracing: props.tracing,
    });
    for (const [name, value] of Object.entries(environment)) fn.addEnvironment(name, value);
    fn.addToRolePolicy(publishEventsStatement('PublishPostbackEvents', props.eventBus, props.eventSource));

    this.onFailureQueue = new sqs.Queue(this, 'OnFailureQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.onFailureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination of the publisher’s event source mapping: its messages are records of failed batches, read by an operator after its alarm; a further dead-letter queue would only move them.',
    });

    this.eventSource = new sources.DynamoEventSource(props.table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize ?? RECEIVER_DEFAULTS.publisherBatchSize,
      maxBatchingWindow: props.maxBatchingWindow ?? RECEIVER_DEFAULTS.publisherMaxBatchingWindow,
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: props.retryAttempts ?? RECEIVER_DEFAULTS.publisherRetryAttempts,
      onFailure: new sources.SqsDlq(this.onFailureQueue),
      filters: [lambda.FilterCriteria.filter(PUBLISHER_STREAM_FILTER as unknown as Record<string, unknown>)],
    });
    fn.addEventSource(this.eventSource);
  }
}
