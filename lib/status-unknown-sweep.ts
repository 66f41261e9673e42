import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { DEFAULTS, sweepEnvironment } from '../lambda/config-contract';
import { STATUS_DUE } from '../lambda/table/table-definition';

/** Timeout of the sweep function (`DEFAULTS.sweepTimeoutSeconds`): a run stops taking new messages 10 s before it. */
export const STATUS_UNKNOWN_SWEEP_TIMEOUT = Duration.seconds(DEFAULTS.sweepTimeoutSeconds);

/** Properties of {@link StatusUnknownSweep}. */
export interface StatusUnknownSweepProps {
  /** The function running `lambda/handlers/status-unknown-sweep.ts` (timeout {@link STATUS_UNKNOWN_SWEEP_TIMEOUT}). */
  readonly function: nodejs.NodejsFunction;
  /** The receiver's table (with the `byStatusDue` index). */
  readonly table: dynamodb.ITableV2;
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
  /** How long a message may wait for a final postback. Must be at least a minute. */
  readonly statusUnknownAfter: Duration;
  /** Days that history and state items are kept (TTL). */
  readonly historyRetentionDays: number;
  /**
   * How often the sweep runs.
   *
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
}

/**
 * The scheduled status-unknown sweep: every minute, declares `MMS Status Unknown` each
 * message still not final `statusUnknownAfter` after its first accepted postback (one
 * synthetic history entry and state per message, written in one transaction; its event
 * follows from the table's stream like any postback's), by querying the sparse
 * `byStatusDue` index shard by shard (no scan). Sets the function's environment with the
 * grants it needs (table, index; no EventBridge) and the schedule.
 *
 * @example
 * new StatusUnknownSweep(this, 'StatusUnknownSweep', { function: fn, table, statusUnknownAfter: Duration.hours(72), historyRetentionDays: 90 });
 */
export class StatusUnknownSweep extends Construct {
  /** The sweep function. */
  public readonly function: nodejs.NodejsFunction;
  /** The schedule rule (default event bus) that runs it. */
  public readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: StatusUnknownSweepProps) {
    super(scope, id);
    const seconds = props.statusUnknownAfter.toSeconds();
    if (!Number.isInteger(seconds) || seconds < 60) {
      throw new Error(`StatusUnknownSweep: statusUnknownAfter must be a whole number of seconds, at least 60, got ${seconds}`);
    }
    const fn = props.function;
    this.function = fn;

    // The store of the ingest function, on the same table; next to what it calls.
    const environment = sweepEnvironment({
      tableName: props.table.tableName,
      historyRetentionDays: props.historyRetentionDays,
      statusUnknownAfterSeconds: seconds,
      serviceName: props.serviceName,
      tracing: props.tracing,
    });
    for (const [name, value] of Object.entries(environment)) fn.addEnvironment(name, value);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'QueryStatusDueIndex',
        actions: ['dynamodb:Query'],
        resources: [`${props.table.tableArn}/index/${STATUS_DUE.indexName}`],
      }),
    );
    // TransactWriteItems is authorized per contained action (PutItem, UpdateItem):
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DeclareStatusUnknown',
        actions: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
      }),
    );

    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'Runs the MMS status-unknown sweep',
      schedule: events.Schedule.rate(props.interval ?? Duration.minutes(1)),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 0 })],
    });
  }
}
