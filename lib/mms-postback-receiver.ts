import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Annotations, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CODE_PATTERN, DETAIL_TYPES, type DetailType, type Outcome } from '../lambda/domain/catalog';
import { BINARY_MEDIA_TYPES } from '../lambda/http/request';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../lambda/observability';
import { RELAY, STATUS_DUE, TABLE_DEFINITION } from '../lambda/table-definition';
import { postbackAccessLogFormat } from './access-log-format';
import { addRetryableGatewayResponses } from './gateway-responses';
import { PostbackEventSchemas } from './postback-event-schemas';
import { PostbackHttpApi } from './postback-http-api';
import { PostbackMonitoring } from './postback-monitoring';
import { PostbackRelay } from './postback-relay';
import { STATUS_UNKNOWN_SWEEP_TIMEOUT, StatusUnknownSweep } from './status-unknown-sweep';

/** Root of the repository: the functions' sources and the lock file live below it. */
const PROJECT_ROOT = path.join(__dirname, '..');

/**
 * Where the installed package keeps its prebuilt function bundles (`dist/functions/<name>/`,
 * written by `npm run build`, next to the compiled construct in `dist/lib/`). Run from this
 * repository's sources there is no such directory, and the functions are bundled from
 * `lambda/handlers/` at synth instead, with the same esbuild options.
 */
const PREBUILT_FUNCTIONS = path.join(__dirname, '..', 'functions');

/**
 * The outcomes a subscription can filter on (`detail.outcome` of the events).
 *
 * @example
 * OUTCOMES.includes('failure'); // true
 */
export const OUTCOMES: readonly Outcome[] = ['success', 'failure', 'pending', 'unknown'];

/**
 * The esbuild settings of both functions (see docs/performance.md for the measurements
 * behind them): ESM, minified, every dependency bundled (no externals: the query
 * function's AWS SDK client imports 2x faster bundled than from the runtime, and is the
 * version of package-lock.json; the ingest function uses no SDK at all), source maps
 * without sources content, `module` entry points first for better tree shaking.
 */
export const BUNDLING: nodejs.BundlingOptions = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node22',
  format: nodejs.OutputFormat.ESM,
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call `require` for Node built-ins; give ESM output one.
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  externalModules: [],
  forceDockerBundling: false,
  // Lambda passes credentials in the environment: bundle only the environment provider, not
  // the whole default chain (see lambda/runtime/env-credentials.ts; 127 KB smaller).
  esbuildArgs: { '--alias': [`@aws-sdk/credential-provider-node=${path.join(PROJECT_ROOT, 'lambda', 'runtime', 'env-credentials.ts')}`] },
};

/**
 * Lambda's advanced logging controls of the ingest function: JSON log lines, and the
 * platform's START/END/REPORT lines (logged at INFO) kept out of the log group: system level
 * WARN still lets errors such as timeouts and crashes through. Application lines are
 * filtered by the function's logger (`POWERTOOLS_LOG_LEVEL`, INFO by default), so no
 * application level is set here. The cost report (`bench/cost.ts`) reads this constant.
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
 */
export const INGEST_LOGGING = {
  loggingFormat: lambda.LoggingFormat.JSON,
  systemLogLevelV2: lambda.SystemLogLevel.WARN,
} as const satisfies Pick<lambda.FunctionProps, 'loggingFormat' | 'systemLogLevelV2'>;

/** The kind of API Gateway API in front of the functions. */
export type ApiType = 'rest' | 'http';

/** Properties of {@link MmsPostbackReceiver}. Every property is optional. */
export interface MmsPostbackReceiverProps {
  /**
   * The API in front of the functions: an API Gateway REST API, or an HTTP API (cheaper
   * per request; no resource policy, so no `allowedSourceCidrs`, and no gateway responses:
   * see docs/deploy.md "REST or HTTP API"). Same routes, authorization and alarms.
   *
   * @default 'rest'
   */
  readonly apiType?: ApiType;
  /**
   * An existing Secrets Manager secret holding the shared secret (its `SecretString` is
   * the secret itself). Mutually exclusive with `secretName`.
   *
   * @default - a new secret with a generated 48-character alphanumeric value
   */
  readonly secret?: secretsmanager.ISecret;
  /**
   * Name of the new secret. Only when `secret` is not given.
   *
   * @default - a name generated by CloudFormation
   */
  readonly secretName?: string;
  /**
   * IPv4/IPv6 CIDR ranges allowed to call `POST /postbacks` (API Gateway resource policy:
   * every other source gets 403). The IAM-authorized `GET` routes are not limited by it.
   *
   * @default - no source restriction
   */
  readonly allowedSourceCidrs?: readonly string[];
  /**
   * Stage throttling: steady-state requests per second. The default leaves a campaign
   * (thousands of postbacks per second) room and half of API Gateway's default account
   * quota of 10,000 requests per second per region to the account's other APIs. Requests
   * above it are answered 503 with `Retry-After` (a gateway response), so senders retry.
   * Some regions have a lower account quota (2,500 per second): there the account
   * quota applies first. See https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
   *
   * @default 5000
   */
  readonly throttlingRateLimit?: number;
  /**
   * Stage throttling: burst of requests (token bucket size). At most 5,000, the largest
   * burst API Gateway grants an account by default.
   *
   * @default 5000
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Days that history and latest-state items are kept (DynamoDB TTL `expiresAt`).
   *
   * @default 90
   */
  readonly historyRetentionDays?: number;
  /**
   * Days that refused but authenticated postbacks (`rejected` records) are kept.
   *
   * @default 14
   */
  readonly rejectedRetentionDays?: number;
  /**
   * Days that the event archive keeps events for replay; 0 keeps them indefinitely.
   * Only with a new event bus.
   *
   * @default 30
   */
  readonly archiveRetentionDays?: number;
  /**
   * The `Source` of the published events.
   *
   * @default 'mms.postbacks'
   */
  readonly eventSource?: string;
  /**
   * An existing event bus to publish on. With it, no bus and no archive are created, and
   * `eventBusName` and `archiveRetentionDays` must not be set.
   *
   * @default - a new custom event bus with an archive
   */
  readonly eventBus?: events.IEventBus;
  /**
   * Name of the new event bus. Only when `eventBus` is not given.
   *
   * @default - a name generated from the construct path
   */
  readonly eventBusName?: string;
  /**
   * Topic that the alarms notify (on ALARM and on OK).
   *
   * @default - alarms without actions (visible in the console and on the dashboard)
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Active X-Ray tracing of both functions and of the API stage.
   *
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * What happens to the table, the created secret and the log groups when they leave
   * the stack. `RemovalPolicy.SNAPSHOT` is not supported (DynamoDB has no snapshot policy).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Timeout of the functions. At most 29 seconds (the API Gateway integration timeout),
   * and below `leaseSeconds`.
   *
   * @default Duration.seconds(10)
   */
  readonly functionTimeout?: Duration;
  /**
   * Seconds that an ingest invocation owns a postback before a retry may take it over.
   * Must exceed the function timeout.
   *
   * @default 60
   */
  readonly leaseSeconds?: number;
  /**
   * The `Retry-After` (seconds) of 503 answers.
   *
   * @default 5
   */
  readonly retryAfterSeconds?: number;
  /**
   * Memory of the functions, in MiB (CPU grows with it, so cold starts shrink).
   *
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Ship source maps and run the functions with `--enable-source-maps`, so that stack
   * traces in the logs point at the TypeScript sources. Costs about 20 ms of cold start
   * (measured, see docs/performance.md, "Bundle size of both functions").
   *
   * @default true
   */
  readonly sourceMaps?: boolean;
  /**
   * Retention of the function and access log groups.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The API stage name (part of every URL).
   *
   * @default 'prod'
   */
  readonly stageName?: string;
  /**
   * The `service` dimension of the functions' metrics and logs (`POWERTOOLS_SERVICE_NAME`).
   * Set it when two receivers share an account and region.
   *
   * @default 'mms-postbacks'
   */
  readonly serviceName?: string;
  /**
   * Name of the EventBridge schema registry.
   *
   * @default - a name generated by CloudFormation
   */
  readonly schemaRegistryName?: string;
  /**
   * Create the API Gateway account-level CloudWatch Logs role of this region (an IAM role
   * with `AmazonAPIGatewayPushToCloudWatchLogs` and the `AWS::ApiGateway::Account`
   * setting that points at it). The stage writes access logs, which fails in a region
   * whose account setting has no role (`aws apigateway get-account` shows no
   * `cloudwatchRoleArn`). The setting is shared by every REST API of the account and
   * region, so it is off by default, and both are retained when the stack is deleted.
   *
   * @default false
   */
  readonly apiGatewayCloudWatchRole?: boolean;
  /**
   * Reserved concurrency of the ingest function: guarantees it that many concurrent
   * executions (and caps it there) out of the account's regional pool.
   *
   * @default - none: the function draws on the unreserved pool of the account
   */
  readonly reservedConcurrency?: number;
  /**
   * Warm throughput of the table and of each index: the read and write units per second
   * they serve at once. A new on-demand table serves 4,000 writes and 12,000 reads per
   * second at once and doubles from its previous peak; raise it before a campaign
   * (pre-warming has a one-time cost). See
   * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/warm-throughput.html
   *
   * @default - none: DynamoDB's own warm throughput
   */
  readonly warmThroughput?: dynamodb.WarmThroughput;
  /**
   * How long a message may stay without a final postback (counted from its first accepted
   * postback) before it gets one synthetic `MMS Status Unknown` event and state, as AWS End
   * User Messaging does. A scheduled sweep runs every minute. `Duration.seconds(0)` turns it off.
   *
   * @default Duration.hours(72)
   */
  readonly statusUnknownAfter?: Duration;
}

/** Which postbacks a subscription receives. Criteria combine with AND; list items with OR. */
export interface PostbackFilter {
  /**
   * Detail-types to receive.
   *
   * @default - every detail-type
   */
  readonly detailTypes?: readonly DetailType[];
  /**
   * Outcome(s) to receive (`detail.outcome`).
   *
   * @default - every outcome
   */
  readonly outcome?: Outcome | readonly Outcome[];
  /**
   * Provider codes to receive (`detail.code`, e.g. `N102`).
   *
   * @default - every code
   */
  readonly codes?: readonly string[];
}

/** Options of a subscription rule. */
export interface OnPostbackOptions {
  /**
   * Construct id of the rule, under the receiver.
   *
   * @default - `OnPostback`, `OnPostback2`, …, in call order
   */
  readonly id?: string;
  /**
   * Physical name of the rule.
   *
   * @default - a name generated by CloudFormation
   */
  readonly ruleName?: string;
  /**
   * Description of the rule.
   *
   * @default - a description generated from the filter
   */
  readonly description?: string;
}

const DEFAULTS = {
  throttlingRateLimit: 5000,
  throttlingBurstLimit: 5000,
  historyRetentionDays: 90,
  rejectedRetentionDays: 14,
  archiveRetentionDays: 30,
  eventSource: 'mms.postbacks',
  tracing: false,
  removalPolicy: RemovalPolicy.RETAIN,
  functionTimeout: Duration.seconds(10),
  leaseSeconds: 60,
  retryAfterSeconds: 5,
  memorySize: 512,
  sourceMaps: true,
  logRetention: logs.RetentionDays.ONE_MONTH,
  stageName: 'prod',
  serviceName: SERVICE_NAME,
  statusUnknownAfter: Duration.hours(72),
} as const;

/**
 * Thrown at synth for props that are invalid or conflict with each other.
 *
 * @example
 * new MmsPostbackReceiver(this, 'Postbacks', { leaseSeconds: 5 });
 * // ReceiverPropsError: MmsPostbackReceiver: leaseSeconds (5) must exceed the function timeout (10 s): …
 */
export class ReceiverPropsError extends Error {
  constructor(message: string) {
    super(`MmsPostbackReceiver: ${message}`);
    this.name = 'ReceiverPropsError';
  }
}

const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]*:[0-9a-fA-F:.]*\/(12[0-8]|1[01]\d|[1-9]?\d)$/;

function isCidr(value: string): boolean {
  if (IPV4_CIDR.test(value)) return true;
  if (!IPV6_CIDR.test(value)) return false;
  const address = value.split('/')[0] as string;
  const doubleColons = address.split('::').length - 1;
  const groups = address.split(':').filter((group) => group.length > 0);
  return (
    doubleColons <= 1 &&
    groups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group)) &&
    (doubleColons === 1 ? groups.length < 8 : groups.length === 8)
  );
}

function requireInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw new ReceiverPropsError(`${name} must be an integer ${range}, got ${value}`);
  }
}

function validate(props: MmsPostbackReceiverProps): void {
  if (props.secret && props.secretName !== undefined) {
    throw new ReceiverPropsError('give either secret (an existing secret) or secretName (for a new one), not both');
  }
  if (props.eventBus && props.eventBusName !== undefined) {
    throw new ReceiverPropsError('give either eventBus (an existing bus) or eventBusName (for a new one), not both');
  }
  if (props.eventBus && props.archiveRetentionDays !== undefined) {
    throw new ReceiverPropsError(
      'archiveRetentionDays applies to a new event bus only: with an existing eventBus, its owner manages archives',
    );
  }
  if (props.apiType !== undefined && props.apiType !== 'rest' && props.apiType !== 'http') {
    throw new ReceiverPropsError(`apiType must be 'rest' or 'http', got ${JSON.stringify(props.apiType)}`);
  }
  if (props.apiType === 'http' && props.allowedSourceCidrs !== undefined) {
    throw new ReceiverPropsError(
      'allowedSourceCidrs needs apiType \'rest\': an HTTP API has no resource policy, so it cannot limit callers by source IP. Use the REST API, or put CloudFront with AWS WAF in front of the HTTP API (docs/deploy.md, "REST or HTTP API")',
    );
  }
  if (props.allowedSourceCidrs !== undefined) {
    if (props.allowedSourceCidrs.length === 0) {
      throw new ReceiverPropsError('allowedSourceCidrs must not be empty (leave it out to allow every source)');
    }
    const bad = props.allowedSourceCidrs.filter((cidr) => !Token.isUnresolved(cidr) && !isCidr(cidr));
    if (bad.length > 0) {
      throw new ReceiverPropsError(
        `allowedSourceCidrs holds invalid CIDR ranges: ${bad.join(', ')} (expected e.g. 203.0.113.0/24 or 2001:db8::/32)`,
      );
    }
  }
  const rate = props.throttlingRateLimit ?? DEFAULTS.throttlingRateLimit;
  if (!Token.isUnresolved(rate) && !(Number.isFinite(rate) && rate > 0)) {
    throw new ReceiverPropsError(`throttlingRateLimit must be a positive number, got ${rate}`);
  }
  requireInteger('throttlingBurstLimit', props.throttlingBurstLimit ?? DEFAULTS.throttlingBurstLimit, 0, 5000);
  requireInteger('historyRetentionDays', props.historyRetentionDays ?? DEFAULTS.historyRetentionDays, 1);
  const statusUnknownAfter = (props.statusUnknownAfter ?? DEFAULTS.statusUnknownAfter).toSeconds();
  if (statusUnknownAfter !== 0 && statusUnknownAfter < 60) {
    throw new ReceiverPropsError(`statusUnknownAfter must be 0 (off) or at least one minute, got ${statusUnknownAfter} s`);
  }
  requireInteger('rejectedRetentionDays', props.rejectedRetentionDays ?? DEFAULTS.rejectedRetentionDays, 1);
  requireInteger('archiveRetentionDays', props.archiveRetentionDays ?? DEFAULTS.archiveRetentionDays, 0);
  requireInteger('retryAfterSeconds', props.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds, 1);
  requireInteger('memorySize', props.memorySize ?? DEFAULTS.memorySize, 128, 10240);
  if (props.reservedConcurrency !== undefined) requireInteger('reservedConcurrency', props.reservedConcurrency, 1);
  if (props.warmThroughput?.writeUnitsPerSecond !== undefined) {
    requireInteger('warmThroughput.writeUnitsPerSecond', props.warmThroughput.writeUnitsPerSecond, 1);
  }
  if (props.warmThroughput?.readUnitsPerSecond !== undefined) {
    requireInteger('warmThroughput.readUnitsPerSecond', props.warmThroughput.readUnitsPerSecond, 1);
  }
  const leaseSeconds = props.leaseSeconds ?? DEFAULTS.leaseSeconds;
  requireInteger('leaseSeconds', leaseSeconds, 1);
  const timeout = props.functionTimeout ?? DEFAULTS.functionTimeout;
  if (!timeout.isUnresolved()) {
    const timeoutSeconds = timeout.toSeconds();
    if (timeoutSeconds > 29) {
      throw new ReceiverPropsError(
        `functionTimeout must be at most 29 seconds (the API Gateway integration timeout), got ${timeoutSeconds}`,
      );
    }
    if (leaseSeconds <= timeoutSeconds) {
      throw new ReceiverPropsError(
        `leaseSeconds (${leaseSeconds}) must exceed the function timeout (${timeoutSeconds} s): a lease may only expire after its invocation has ended`,
      );
    }
  }
  if (props.removalPolicy === RemovalPolicy.SNAPSHOT) {
    throw new ReceiverPropsError('removalPolicy SNAPSHOT is not supported by DynamoDB tables; use RETAIN or DESTROY');
  }
  const source = props.eventSource ?? DEFAULTS.eventSource;
  if (!Token.isUnresolved(source) && (source.length === 0 || source.length > 256 || source.startsWith('aws.'))) {
    throw new ReceiverPropsError(`eventSource must be 1 to 256 characters and must not start with "aws.", got "${source}"`);
  }
}

function attributeType(type: 'S' | 'N' | 'B'): dynamodb.AttributeType {
  switch (type) {
    case 'S':
      return dynamodb.AttributeType.STRING;
    case 'N':
      return dynamodb.AttributeType.NUMBER;
    case 'B':
      return dynamodb.AttributeType.BINARY;
  }
}

/**
 * The MMS postback receiver: `POST /postbacks` (API Gateway REST API) to
 * an ingest function that stores each postback in DynamoDB and publishes one typed event
 * per postback on EventBridge; IAM-authorized `GET /messages/{trackingId}` and
 * `GET /messages?clientReference=` on a read-only query function; a schema registry with
 * one schema per detail-type; alarms and a dashboard.
 *
 * A minimal deployment is one statement with secure defaults; subscribe with
 * {@link MmsPostbackReceiver.onPostback}.
 *
 * @example
 * const receiver = new MmsPostbackReceiver(this, 'Postbacks', {
 *   allowedSourceCidrs: ['203.0.113.0/24'],
 *   alarmTopic: opsTopic,
 * });
 * receiver.onPostback({ outcome: 'failure' }, new targets.SqsQueue(failures));
 */
export class MmsPostbackReceiver extends Construct {
  /** The table of latest states, history and rejected postbacks. */
  public readonly table: dynamodb.TableV2;
  /** The bus the events are published on (created, or the one given). */
  public readonly eventBus: events.IEventBus;
  /** The archive of the receiver's events; only with a created bus. */
  public readonly archive?: events.Archive;
  /** The schema registry with one schema per detail-type. */
  public readonly schemaRegistry: PostbackEventSchemas;
  /** The shared secret (created, or the one given). */
  public readonly secret: secretsmanager.ISecret;
  /** The scheduled status-unknown sweep; `undefined` when `statusUnknownAfter` is 0. */
  public readonly statusUnknownSweep?: StatusUnknownSweep;
  /** The function behind `POST /postbacks`. */
  public readonly ingestFunction: lambda.Function;
  /** The read-only function behind `GET /messages` and `GET /messages/{trackingId}`. */
  public readonly queryFunction: lambda.Function;
  /** The scheduled relay that publishes stored postbacks whose event is not out after their lease. */
  public readonly relay: PostbackRelay;
  /** The API in front of the functions: the REST API (default) or the HTTP API (`apiType: 'http'`). */
  public readonly api: apigateway.RestApi | apigatewayv2.HttpApi;
  /** The REST API; only with `apiType: 'rest'` (the default). */
  public readonly restApi?: apigateway.RestApi;
  /** The HTTP API, its stage and routes; only with `apiType: 'http'`. */
  public readonly httpApi?: PostbackHttpApi;
  /** The API's stage (throttling, access log, the metrics of the alarms), REST or HTTP. */
  public readonly apiStage: apigateway.Stage | apigatewayv2.HttpStage;
  /** The API's JSON access log. */
  public readonly accessLogGroup: logs.LogGroup;
  /** The topic the alarms notify, when one was given. */
  public readonly alarmTopic?: sns.ITopic;
  /** Every alarm of the receiver. */
  public readonly alarms: readonly cloudwatch.Alarm[];
  /** The CloudWatch dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The `Source` of the published events. */
  public readonly eventSource: string;

  private ruleCount = 0;

  constructor(scope: Construct, id: string, props: MmsPostbackReceiverProps = {}) {
    super(scope, id);
    validate(props);
    const removalPolicy = props.removalPolicy ?? DEFAULTS.removalPolicy;
    const timeout = props.functionTimeout ?? DEFAULTS.functionTimeout;
    const logRetention = props.logRetention ?? DEFAULTS.logRetention;
    const tracing = props.tracing ?? DEFAULTS.tracing;
    const serviceName = props.serviceName ?? DEFAULTS.serviceName;
    const statusUnknownAfter = props.statusUnknownAfter ?? DEFAULTS.statusUnknownAfter;
    this.eventSource = props.eventSource ?? DEFAULTS.eventSource;
    this.alarmTopic = props.alarmTopic;

    // Table: built from the same definition as the local run and the store adapter.
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: TABLE_DEFINITION.partitionKey.name, type: attributeType(TABLE_DEFINITION.partitionKey.type) },
      sortKey: { name: TABLE_DEFINITION.sortKey.name, type: attributeType(TABLE_DEFINITION.sortKey.type) },
      timeToLiveAttribute: TABLE_DEFINITION.timeToLiveAttribute,
      globalSecondaryIndexes: TABLE_DEFINITION.globalSecondaryIndexes.map((gsi) => ({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey.name, type: attributeType(gsi.partitionKey.type) },
        sortKey: { name: gsi.sortKey.name, type: attributeType(gsi.sortKey.type) },
        projectionType: dynamodb.ProjectionType[gsi.projection],
        warmThroughput: props.warmThroughput,
      })),
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      warmThroughput: props.warmThroughput,
      // A retained table is kept on purpose: protect it from a DeleteTable as well.
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });

    // Event bus, archive and schemas.
    if (props.eventBus) {
      this.eventBus = props.eventBus;
    } else {
      const bus = new events.EventBus(this, 'EventBus', {
        eventBusName: props.eventBusName,
        description: `MMS postback events (source ${this.eventSource})`,
      });
      const retentionDays = props.archiveRetentionDays ?? DEFAULTS.archiveRetentionDays;
      this.archive = bus.archive('Archive', {
        description: `Replay archive of the MMS postback events (${retentionDays === 0 ? 'kept indefinitely' : `${retentionDays} days`})`,
        eventPattern: { source: [this.eventSource] },
        retention: retentionDays === 0 ? undefined : Duration.days(retentionDays),
      });
      this.eventBus = bus;
    }
    this.schemaRegistry = new PostbackEventSchemas(this, 'Schemas', {
      eventSource: this.eventSource,
      registryName: props.schemaRegistryName,
    });

    // Shared secret.
    if (props.secret) {
      this.secret = props.secret;
    } else {
      const secret = new secretsmanager.Secret(this, 'Secret', {
        secretName: props.secretName,
        description: 'Shared secret of POST /postbacks (Basic auth password, X-Postback-Token header or ?token=)',
        generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
        removalPolicy,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The secret is shared with the messaging provider, which must be reconfigured by hand on every change, so it cannot rotate automatically. Manual rotation needs no downtime: the function accepts the AWSCURRENT and AWSPREVIOUS versions.',
      });
      this.secret = secret;
    }

    // Functions.
    const common = {
      timeout,
      logRetention,
      tracing,
      removalPolicy,
      memorySize: props.memorySize ?? DEFAULTS.memorySize,
      serviceName,
      sourceMaps: props.sourceMaps ?? DEFAULTS.sourceMaps,
    };
    this.ingestFunction = this.createFunction('IngestFunction', {
      ...common,
      entry: 'ingest.ts',
      description: 'MMS postbacks: authenticates, validates, stores and publishes POST /postbacks',
      reservedConcurrency: props.reservedConcurrency,
      logging: INGEST_LOGGING,
      environment: {
        TABLE_NAME: this.table.tableName,
        // A given bus may be in another account: only its ARN names it there (PutEvents takes either).
        EVENT_BUS_NAME: props.eventBus ? this.eventBus.eventBusArn : this.eventBus.eventBusName,
        EVENT_SOURCE: this.eventSource,
        POSTBACK_SECRET_ARN: this.secret.secretArn,
        HISTORY_RETENTION_DAYS: String(props.historyRetentionDays ?? DEFAULTS.historyRetentionDays),
        REJECTED_RETENTION_DAYS: String(props.rejectedRetentionDays ?? DEFAULTS.rejectedRetentionDays),
        LEASE_SECONDS: String(props.leaseSeconds ?? DEFAULTS.leaseSeconds),
        RETRY_AFTER_SECONDS: String(props.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds),
        STATUS_UNKNOWN_AFTER_SECONDS: String(statusUnknownAfter.toSeconds()),
      },
    });
    this.queryFunction = this.createFunction('QueryFunction', {
      ...common,
      entry: 'query.ts',
      description: 'MMS postbacks: read-only GET /messages/{trackingId} and GET /messages?clientReference=',
      environment: { TABLE_NAME: this.table.tableName },
    });
    if (statusUnknownAfter.toSeconds() > 0) {
      this.statusUnknownSweep = new StatusUnknownSweep(this, 'StatusUnknownSweep', {
        function: this.createFunction('StatusUnknownSweepFunction', {
          ...common,
          timeout: STATUS_UNKNOWN_SWEEP_TIMEOUT,
          entry: 'status-unknown-sweep.ts',
          description: 'MMS postbacks: declares MMS Status Unknown for messages with no final postback in time (scheduled)',
          environment: {},
        }),
        table: this.table,
        eventBus: this.eventBus,
        eventSource: this.eventSource,
        statusUnknownAfter,
        historyRetentionDays: props.historyRetentionDays ?? DEFAULTS.historyRetentionDays,
      });
    }
    this.grantIngest(this.ingestFunction.role as iam.IRole);
    this.grantQuery(this.queryFunction.role as iam.IRole);

    // API.
    this.accessLogGroup = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy });
    if (props.apiType === 'http') {
      this.httpApi = new PostbackHttpApi(this, 'Api', {
        ingestFunction: this.ingestFunction,
        queryFunction: this.queryFunction,
        accessLogGroup: this.accessLogGroup,
        stageName: props.stageName ?? DEFAULTS.stageName,
        throttlingRateLimit: props.throttlingRateLimit ?? DEFAULTS.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit ?? DEFAULTS.throttlingBurstLimit,
        apiName: `${Stack.of(this).stackName}-${this.node.id}`,
      });
      this.api = this.httpApi.httpApi;
      this.apiStage = this.httpApi.stage;
    } else {
      this.restApi = this.createApi(props, tracing);
      this.api = this.restApi;
      this.apiStage = this.restApi.deploymentStage;
    }

    // Alarms and dashboard.
    const monitoring = new PostbackMonitoring(this, 'Monitoring', {
      stage: this.apiStage,
      accessLogGroup: this.accessLogGroup,
      ingestFunction: this.ingestFunction,
      queryFunction: this.queryFunction,
      table: this.table,
      serviceName,
      alarmTopic: props.alarmTopic,
    });
    this.relay = new PostbackRelay(this, 'Relay', {
      table: this.table,
      eventBus: this.eventBus,
      eventSource: this.eventSource,
      leaseSeconds: props.leaseSeconds ?? DEFAULTS.leaseSeconds,
      alarmTopic: props.alarmTopic,
      serviceName,
      bundling: BUNDLING,
      sourceMaps: common.sourceMaps,
      tracing,
      logRetention,
      removalPolicy,
    });
    this.alarms = [...monitoring.alarms, this.relay.alarm];
    this.dashboard = monitoring.dashboard;
    this.dashboard.addWidgets(...this.relay.dashboardWidgets());
  }

  /**
   * The URL to give the provider (without credentials).
   *
   * @example
   * new CfnOutput(this, 'PostbackUrl', { value: receiver.postbackUrl }); // https://…/prod/postbacks
   */
  public get postbackUrl(): string {
    return this.urlForPath('/postbacks');
  }

  /**
   * The URL of the IAM-authorized read API (`GET …/messages/{trackingId}`, `GET …/messages?clientReference=`).
   *
   * @example
   * new CfnOutput(this, 'QueryUrl', { value: receiver.queryUrl }); // https://…/prod/messages
   */
  public get queryUrl(): string {
    return this.urlForPath('/messages');
  }

  private urlForPath(path: string): string {
    return (this.httpApi ?? (this.restApi as apigateway.RestApi)).urlForPath(path);
  }

  /**
   * Subscribes a target to the receiver's events: a rule on the bus that matches the
   * receiver's `Source` and the filter.
   *
   * @param filter which postbacks; an empty filter matches every event of the receiver
   * @param target where to send them
   * @param options id, name and description of the rule
   * @returns the rule, to add targets or change it
   * @example
   * receiver.onPostback({ outcome: 'failure' }, new targets.SqsQueue(failures));
   * receiver.onPostback({ detailTypes: ['MMS Delivered', 'MMS Delivered As SMS'] }, new targets.LambdaFunction(onDelivered));
   * receiver.onPostback({ codes: ['E101', 'E102'] }, new targets.SnsTopic(topic), { id: 'HardFailures' });
   */
  public onPostback(filter: PostbackFilter, target?: events.IRuleTarget, options: OnPostbackOptions = {}): events.Rule {
    const pattern = this.eventPattern(filter);
    this.ruleCount += 1;
    const id = options.id ?? (this.ruleCount === 1 ? 'OnPostback' : `OnPostback${this.ruleCount}`);
    return new events.Rule(this, id, {
      eventBus: this.eventBus,
      ruleName: options.ruleName,
      description: options.description ?? `MMS postbacks: ${describeFilter(filter)}`,
      eventPattern: pattern,
      targets: target ? [target] : undefined,
    });
  }

  /**
   * The event pattern of a filter (source, detail-type, detail.outcome, detail.code),
   * validated against the catalog.
   *
   * @example
   * receiver.eventPattern({ outcome: 'failure' }); // { source: ['mms.postbacks'], detail: { outcome: ['failure'] } }
   */
  public eventPattern(filter: PostbackFilter): events.EventPattern {
    const detailTypes = filter.detailTypes;
    if (detailTypes !== undefined) {
      if (detailTypes.length === 0) throw new ReceiverPropsError('onPostback: detailTypes must not be empty (leave it out to match all)');
      const unknown = detailTypes.filter((type) => !DETAIL_TYPES.includes(type));
      if (unknown.length > 0) {
        throw new ReceiverPropsError(
          `onPostback: unknown detail-types ${unknown.map((t) => `"${t}"`).join(', ')}; known: ${DETAIL_TYPES.join(', ')}`,
        );
      }
    }
    const outcomes = filter.outcome === undefined ? undefined : typeof filter.outcome === 'string' ? [filter.outcome] : [...filter.outcome];
    if (outcomes !== undefined) {
      if (outcomes.length === 0) throw new ReceiverPropsError('onPostback: outcome must not be empty (leave it out to match all)');
      const unknown = outcomes.filter((outcome) => !OUTCOMES.includes(outcome));
      if (unknown.length > 0)
        throw new ReceiverPropsError(`onPostback: unknown outcome ${unknown.join(', ')}; known: ${OUTCOMES.join(', ')}`);
    }
    const codes = filter.codes;
    if (codes !== undefined) {
      if (codes.length === 0) throw new ReceiverPropsError('onPostback: codes must not be empty (leave it out to match all)');
      const bad = codes.filter((code) => !new RegExp(CODE_PATTERN).test(code));
      if (bad.length > 0) throw new ReceiverPropsError(`onPostback: codes must look like N102 or E101, got ${bad.join(', ')}`);
    }
    const detail: Record<string, string[]> = {};
    if (outcomes) detail.outcome = [...new Set(outcomes)];
    if (codes) detail.code = [...new Set(codes)];
    return {
      source: [this.eventSource],
      ...(detailTypes ? { detailType: [...new Set(detailTypes)] } : {}),
      ...(Object.keys(detail).length > 0 ? { detail } : {}),
    };
  }

  private createFunction(
    id: 'IngestFunction' | 'QueryFunction' | 'StatusUnknownSweepFunction',
    options: {
      entry: string;
      description: string;
      environment: Record<string, string>;
      timeout: Duration;
      logRetention: logs.RetentionDays;
      tracing: boolean;
      removalPolicy: RemovalPolicy;
      memorySize: number;
      serviceName: string;
      sourceMaps: boolean;
      reservedConcurrency?: number;
      logging?: Pick<lambda.FunctionProps, 'loggingFormat' | 'systemLogLevelV2'>;
    },
  ): lambda.Function {
    // An explicit log group (retention, removal policy) and a role without managed policies:
    // the role may write to this log group only.
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: options.logRetention, removalPolicy: options.removalPolicy });
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${id} of the MMS postback receiver`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    const settings = {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: options.memorySize,
      reservedConcurrentExecutions: options.reservedConcurrency,
      timeout: options.timeout,
      description: options.description,
      role,
      logGroup,
      tracing: options.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      ...options.logging,
      environment: {
        ...options.environment,
        POWERTOOLS_SERVICE_NAME: options.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // Powertools Tracer records the handler and every AWS call only with active tracing.
        POWERTOOLS_TRACE_ENABLED: String(options.tracing),
        ...(options.sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      },
    };
    // The installed package ships the bundles prebuilt (no esbuild, sources or Docker needed
    // at the consumer's synth); this repository bundles from sources.
    const prebuilt = path.join(PREBUILT_FUNCTIONS, path.basename(options.entry, '.ts'));
    const fn = existsSync(path.join(prebuilt, 'index.mjs'))
      ? new lambda.Function(this, id, {
          ...settings,
          handler: 'index.handler',
          code: lambda.Code.fromAsset(prebuilt, { exclude: options.sourceMaps ? [] : ['*.map'] }),
        })
      : new nodejs.NodejsFunction(this, id, {
          ...settings,
          entry: path.join(PROJECT_ROOT, 'lambda', 'handlers', options.entry),
          handler: 'handler',
          projectRoot: PROJECT_ROOT,
          depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
          bundling: { ...BUNDLING, sourceMap: options.sourceMaps },
        });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is pinned on purpose: it is the runtime the code is bundled for (esbuild target node22) and tested against; move to a newer runtime deliberately, together with the bundling target.',
    });
    if (options.tracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions: Resource "*" is required.',
      });
    }
    return fn;
  }

  /** Ingest: write and conditionally update the table, read the secret, put events on its bus. */
  private grantIngest(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WritePostbacks',
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [this.table.tableArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSharedSecret',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.secret.secretFullArn ?? `${this.secret.secretArn}-??????`],
      }),
    );
    if (this.secret.encryptionKey) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'DecryptSharedSecret',
          actions: ['kms:Decrypt'],
          resources: [this.secret.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishPostbackEvents',
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        conditions: { StringEquals: { 'events:source': this.eventSource } },
      }),
    );
  }

  /** Query: read items of the table (one or a batch of states) and its client-reference index, nothing else. */
  private grantQuery(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadPostbacks',
        actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
        resources: [
          this.table.tableArn,
          ...TABLE_DEFINITION.globalSecondaryIndexes
            .filter((gsi) => gsi.indexName !== RELAY.indexName && gsi.indexName !== STATUS_DUE.indexName) // the relay's and the sweep's indexes are theirs
            .map((gsi) => `${this.table.tableArn}/index/${gsi.indexName}`),
        ],
      }),
    );
  }

  private createApi(props: MmsPostbackReceiverProps, tracing: boolean): apigateway.RestApi {
    const policy = props.allowedSourceCidrs ? this.sourceIpPolicy(props.allowedSourceCidrs) : undefined;
    const api = new apigateway.RestApi(this, 'Api', {
      restApiName: `${Stack.of(this).stackName}-${this.node.id}`,
      description: 'MMS postback receiver: POST /postbacks (provider), GET /messages (IAM)',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Pass these bodies to the function as their bytes (base64), so that the declared charset is applied once, there.
      binaryMediaTypes: [...BINARY_MEDIA_TYPES],
      // The account-level role is shared by every REST API of the region: created only on request, and retained.
      cloudWatchRole: props.apiGatewayCloudWatchRole ?? false,
      cloudWatchRoleRemovalPolicy: props.apiGatewayCloudWatchRole ? RemovalPolicy.RETAIN : undefined,
      policy,
      deployOptions: {
        stageName: props.stageName ?? DEFAULTS.stageName,
        throttlingRateLimit: props.throttlingRateLimit ?? DEFAULTS.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit ?? DEFAULTS.throttlingBurstLimit,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: postbackAccessLogFormat(),
        // Execution logs would print the query string (?token=) and headers: keep them off.
        loggingLevel: apigateway.MethodLoggingLevel.OFF,
        dataTraceEnabled: false,
        metricsEnabled: false,
        tracingEnabled: tracing,
      },
    });
    // RestApi adds a stack output "Endpoint" by itself; the stack that uses the construct
    // decides its outputs (postbackUrl, queryUrl), so drop it.
    api.node.tryRemoveChild('Endpoint');
    // A resource policy takes effect only with a new deployment: tie the deployment to it.
    api.latestDeployment?.addToLogicalId({ allowedSourceCidrs: props.allowedSourceCidrs ?? null });
    addRetryableGatewayResponses(api, props.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds);
    if (props.apiGatewayCloudWatchRole) {
      Validations.of(api.node.findChild('CloudWatchRole')).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'API Gateway documents this AWS managed policy for its account-level CloudWatch Logs role; AWS keeps it to the log actions the service needs.',
      });
    } else {
      Annotations.of(api).addInfo(
        'The stage writes access logs: the region needs the API Gateway account CloudWatch Logs role once (see docs/deploy.md). If `aws apigateway get-account` shows no cloudwatchRoleArn, deploy with -c apiGatewayCloudWatchRole=true.',
      );
    }

    const ingest = new apigateway.LambdaIntegration(this.ingestFunction, { proxy: true, allowTestInvoke: false });
    const query = new apigateway.LambdaIntegration(this.queryFunction, { proxy: true, allowTestInvoke: false });
    const postbacks = api.root.addResource('postbacks');
    const post = postbacks.addMethod('POST', ingest, { authorizationType: apigateway.AuthorizationType.NONE });
    const messages = api.root.addResource('messages');
    const list = messages.addMethod('GET', query, {
      authorizationType: apigateway.AuthorizationType.IAM,
      requestParameters: { 'method.request.querystring.clientReference': false },
    });
    const get = messages.addResource('{trackingId}').addMethod('GET', query, {
      authorizationType: apigateway.AuthorizationType.IAM,
      requestParameters: { 'method.request.path.trackingId': true },
    });

    Validations.of(post).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The provider cannot sign requests or use tokens from an authorizer: the ingest function authenticates every request with the shared secret (Basic auth, X-Postback-Token or ?token=) in constant time, fail closed.',
    });
    Validations.of(post).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'The provider cannot use Cognito; the ingest function authenticates with the shared secret (see APIG4).',
    });
    for (const method of [list, get]) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason: 'The read routes use IAM authorization (SigV4) for people and services of the account: no Cognito user pool is involved.',
      });
    }
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Requests are validated in the functions with ajv: an invalid postback must reach the ingest function, which stores it as a rejected record and answers a JSON error.',
    });
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'No WAF by default: the endpoint is authenticated by a shared secret, throttled on the stage and optionally limited to the provider CIDRs; associate a web ACL with the stage if the account requires one.',
    });
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG6',
      reason:
        'Execution logging is off on purpose: it would write the query string (?token=, the shared secret) and headers to CloudWatch. JSON access logs without secrets are on.',
    });
    return api;
  }

  /**
   * Resource policy: `POST /postbacks` only from the allowed ranges (explicit allow plus
   * an explicit deny for other sources). The GET routes get no statement, so that IAM
   * authorization alone decides for callers of the same account (cross-account callers
   * stay refused, as without a policy).
   */
  private sourceIpPolicy(cidrs: readonly string[]): iam.PolicyDocument {
    const resource = 'execute-api:/*/POST/postbacks';
    return new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'AllowPostbacksFromProvider',
          effect: iam.Effect.ALLOW,
          principals: [new iam.AnyPrincipal()],
          actions: ['execute-api:Invoke'],
          resources: [resource],
          conditions: { IpAddress: { 'aws:SourceIp': [...cidrs] } },
        }),
        new iam.PolicyStatement({
          sid: 'DenyPostbacksFromOtherSources',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['execute-api:Invoke'],
          resources: [resource],
          conditions: { NotIpAddress: { 'aws:SourceIp': [...cidrs] } },
        }),
      ],
    });
  }
}

function describeFilter(filter: PostbackFilter): string {
  const parts: string[] = [];
  if (filter.detailTypes) parts.push(`detail-type ${filter.detailTypes.join(' | ')}`);
  if (filter.outcome) parts.push(`outcome ${typeof filter.outcome === 'string' ? filter.outcome : filter.outcome.join(' | ')}`);
  if (filter.codes) parts.push(`code ${filter.codes.join(' | ')}`);
  return (parts.length > 0 ? parts.join(', ') : 'all events').slice(0, 480);
}
