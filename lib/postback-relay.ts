import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEFAULTS, relayEnvironment } from '../lambda/config-contract';
import { METRIC, SERVICE_NAME } from '../lambda/observability';
import { RELAY } from '../lambda/table-definition';
import { busReference, publishEventsStatement } from './event-bus-access';
import { createPostbackFunction } from './postback-functions';
import { serviceMetric } from './postback-monitoring';

/** Properties of {@link PostbackRelay}. */
export interface PostbackRelayProps {
  /** The receiver's table (with the index `byPublishDue`). */
  readonly table: dynamodb.ITableV2;
  /** The bus the events are published on. */
  readonly eventBus: events.IEventBus;
  /** The `Source` of the events (the ingest function's). */
  readonly eventSource: string;
  /**
   * How the function names the bus in PutEvents: its name, or its ARN (a bus of another
   * account is found only by its ARN).
   *
   * @default - `busReference(eventBus)`: the bus's name when this app creates the bus, its ARN otherwise
   */
  readonly eventBusName?: string;
  /**
   * The ingest function's lease, in seconds: the relay takes entries whose lease has
   * expired, under the same lease.
   *
   * @default 60
   */
  readonly leaseSeconds?: number;
  /**
   * How often the relay runs.
   *
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
  /**
   * Every stored postback is published within this time: the alarm fires when a run finds
   * an entry older than this minus one interval (the last run that can still make it).
   *
   * @default Duration.minutes(5)
   */
  readonly publishWithin?: Duration;
  /**
   * Timeout of the relay function; at least 30 seconds (it stops taking entries 20 s before it).
   *
   * @default Duration.seconds(50)
   */
  readonly timeout?: Duration;
  /**
   * The `service` dimension of the metrics (`POWERTOOLS_SERVICE_NAME`).
   *
   * @default 'mms-postbacks'
   */
  readonly serviceName?: string;
  /**
   * Run with `--enable-source-maps` (the bundle must carry source maps).
   *
   * @default false
   */
  readonly sourceMaps?: boolean;
  /**
   * Memory of the function, in MiB.
   *
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Active X-Ray tracing.
   *
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Retention of the function's log group.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The relay: a function run on a schedule that publishes every history entry left
 * unpublished after its lease (publish failed, answer lost, sender never retried) and
 * marks it published; its metric `OldestUnpublishedAgeSeconds` (every run, 0 when none)
 * and an alarm on it, which also fires when the relay stops reporting. The alarm has no
 * actions of its own: give it to `PostbackMonitoring` (`additionalAlarms`), which wires the
 * receiver's topic and lists it on the dashboard.
 *
 * @example
 * const relay = new PostbackRelay(this, 'Relay', { table, eventBus, eventSource: 'mms.postbacks' });
 * new PostbackMonitoring(this, 'Monitoring', { ...monitoringProps, additionalAlarms: [relay.alarm] });
 */
export class PostbackRelay extends Construct {
  /** The relay function. */
  public readonly function: lambda.Function;
  /** The schedule (an EventBridge rule on the default bus). */
  public readonly schedule: events.Rule;
  /** Alarm: a stored postback is at risk of missing its publication deadline, or the relay does not run. */
  public readonly alarm: cloudwatch.Alarm;
  /** The age of the oldest unpublished entry found by a run, in seconds (maximum per 5 minutes). */
  public readonly oldestUnpublishedAge: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: PostbackRelayProps) {
    super(scope, id);
    const interval = props.interval ?? Duration.minutes(1);
    const publishWithin = props.publishWithin ?? Duration.minutes(5);
    const timeout = props.timeout ?? Duration.seconds(50);
    const serviceName = props.serviceName ?? SERVICE_NAME;
    const sourceMaps = props.sourceMaps ?? false;
    if (!timeout.isUnresolved() && timeout.toSeconds() < 30) {
      throw new Error(`PostbackRelay: timeout must be at least 30 seconds, got ${timeout.toSeconds()}`);
    }
    if (!interval.isUnresolved() && !publishWithin.isUnresolved() && publishWithin.toSeconds() <= interval.toSeconds()) {
      throw new Error('PostbackRelay: publishWithin must be longer than the interval');
    }

    // The installed package ships the bundle prebuilt (dist/functions/relay, see scripts/build.ts);
    // this repository bundles from sources. Log group and role keep the ids `Logs` and `Role`
    // of this construct (a new id would replace the deployed ones).
    this.function = createPostbackFunction(this, 'Function', {
      entry: 'relay',
      description: 'MMS postbacks: publishes stored postbacks whose event is not out after their lease',
      environment: relayEnvironment({
        tableName: props.table.tableName,
        eventBusName: props.eventBusName ?? busReference(props.eventBus),
        eventSource: props.eventSource,
        leaseSeconds: props.leaseSeconds ?? DEFAULTS.leaseSeconds,
        serviceName,
      }),
      timeout,
      memorySize: props.memorySize ?? 256,
      tracing: props.tracing ?? false,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      sourceMaps,
      resourceIds: { logGroup: 'Logs', role: 'Role' },
      roleDescription: 'Execution role of the relay of the MMS postback receiver',
    });
    // Least privilege: find due entries in the relay index, take leases and mark entries in the table, publish with the receiver's source.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'FindDueEntries',
        actions: ['dynamodb:Query'],
        resources: [`${props.table.tableArn}/index/${RELAY.indexName}`],
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'LeaseAndMarkEntries', actions: ['dynamodb:UpdateItem'], resources: [props.table.tableArn] }),
    );
    this.function.addToRolePolicy(publishEventsStatement('PublishPostbackEvents', props.eventBus, props.eventSource));

    // No retries of a missed invocation: the next run comes one interval later and does the same work.
    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'Runs the MMS postback relay',
      schedule: events.Schedule.rate(interval),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });

    this.oldestUnpublishedAge = serviceMetric(serviceName, METRIC.oldestUnpublishedAge, cloudwatch.Stats.MAXIMUM);
    const threshold = publishWithin.toSeconds() - interval.toSeconds();
    this.alarm = new cloudwatch.Alarm(this, 'OldestUnpublishedAlarm', {
      metric: this.oldestUnpublishedAge,
      alarmDescription: `A stored postback was still unpublished after ${threshold} s (the promise: published within ${publishWithin.toSeconds()} s), or the relay did not report for 5 minutes`,
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // Every run reports (0 when nothing is pending): no data means the relay is not running.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.serviceName = serviceName;
    this.alarmThreshold = threshold;
  }

  private readonly serviceName: string;
  private readonly alarmThreshold: number;

  /**
   * Dashboard widgets: the oldest unpublished age against the alarm threshold, and what the runs published.
   *
   * @example
   * dashboard.addWidgets(...relay.dashboardWidgets());
   */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    const count = (metricName: string, label: string) => serviceMetric(this.serviceName, metricName).with({ label });
    return [
      new cloudwatch.GraphWidget({
        title: 'Relay: oldest unpublished postback (s)',
        width: 12,
        left: [this.oldestUnpublishedAge.with({ label: 'Oldest unpublished age' })],
        leftAnnotations: [{ value: this.alarmThreshold, label: 'alarm' }],
      }),
      new cloudwatch.GraphWidget({
        title: 'Relay: events published for entries left unpublished',
        width: 12,
        left: [count(METRIC.relayPublished, 'Published by the relay'), count(METRIC.relayFailed, 'Could not publish')],
      }),
    ];
  }
}
