/**
 * The configuration contract of the functions: every default, the environment variable
 * each setting travels in, and the builders of each function's environment. Pure (no AWS
 * SDK, no aws-cdk-lib): `lambda/config.ts` reads with these names and defaults, and the
 * construct (`lib/`), the bench (`bench/run.ts`) and the local run (`local/local-run.ts`)
 * build the environments with these builders, so that none of them can drift.
 *
 * Adding an ingest setting: a name in {@link ENV}, a default in {@link DEFAULTS}, a field
 * of {@link IngestSettings} written by {@link ingestEnvironment}; read it in
 * `lambda/config.ts`; extend `test/lambda/config-contract.test.ts`.
 */

/** The environment variable of each setting. */
export const ENV = {
  tableName: 'TABLE_NAME',
  eventBusName: 'EVENT_BUS_NAME',
  eventSource: 'EVENT_SOURCE',
  secretArn: 'POSTBACK_SECRET_ARN',
  secretValue: 'POSTBACK_SECRET',
  secretRefreshSeconds: 'SECRET_REFRESH_SECONDS',
  historyRetentionDays: 'HISTORY_RETENTION_DAYS',
  rejectedRetentionDays: 'REJECTED_RETENTION_DAYS',
  retryAfterSeconds: 'RETRY_AFTER_SECONDS',
  statusUnknownAfterSeconds: 'STATUS_UNKNOWN_AFTER_SECONDS',
  sweepMaxPerRun: 'SWEEP_MAX_PER_RUN',
  sweepPageSize: 'SWEEP_PAGE_SIZE',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  tracingEnabled: 'POWERTOOLS_TRACE_ENABLED',
} as const;

/** The CloudWatch namespace of the functions' metrics. */
export const METRICS_NAMESPACE = 'MmsPostbacks';
/** The default `service` of logs and metrics. */
export const SERVICE_NAME = 'mms-postbacks';

/**
 * Every default of the receiver: the functions' settings and the construct's props (the
 * construct's `Duration` props are given here in seconds).
 *
 * @example
 * DEFAULTS.publisherBatchSize; // 10
 */
export const DEFAULTS = {
  /** `Source` of the published events. */
  eventSource: 'mms.postbacks',
  /** `service` dimension of metrics and logs. */
  serviceName: SERVICE_NAME,
  /** Namespace of the metrics. */
  metricsNamespace: METRICS_NAMESPACE,
  /** Days history and latest-state items are kept (TTL). */
  historyRetentionDays: 90,
  /** Days refused-but-authenticated postbacks are kept. */
  rejectedRetentionDays: 14,
  /** `Retry-After` of 503 answers. */
  retryAfterSeconds: 5,
  /** Seconds the secret read from Secrets Manager is cached. */
  secretRefreshSeconds: 300,
  /** Wait for a final postback before `MMS Status Unknown` (72 hours); 0 turns the sweep off. */
  statusUnknownAfterSeconds: 72 * 3600,
  /** Messages one sweep run marks unknown at most. */
  sweepMaxPerRun: 20_000,
  /** Index entries per Query and states per BatchGetItem of the sweep (BatchGetItem reads at most 100). */
  sweepPageSize: 50,
  /** Timeout of the sweep function, in seconds: a run stops taking new messages 10 s before it. */
  sweepTimeoutSeconds: 60,
  /**
   * Stream records per invocation of the publisher (the event source mapping's batch size):
   * one PutEvents request carries at most 10 entries, so a batch of 10 is one request when
   * its entries belong to 10 different messages.
   */
  publisherBatchSize: 10,
  /** Seconds the event source mapping gathers records before it invokes the publisher (its batching window): short, so an event follows its 200 within about a second. */
  publisherMaxBatchingWindowSeconds: 1,
  /**
   * Times the event source mapping retries a batch the publisher reported failed (after
   * its own retries inside the invocation, about 15 s of backoff per attempt): 5 retries
   * ride out roughly a minute and a half of EventBridge failures; a record that still
   * fails goes to the on-failure destination (with an alarm) and `npm run republish`
   * publishes it again. Bounded, so one poison record never blocks its shard for a day.
   */
  publisherRetryAttempts: 5,
  /** Timeout of the publisher function, in seconds: room for its retries of failed entries with backoff inside one invocation. */
  publisherTimeoutSeconds: 60,
  /** Stage throttling, steady requests per second. */
  throttlingRateLimit: 5000,
  /** Stage throttling, burst. */
  throttlingBurstLimit: 5000,
  /** Days the event archive keeps events (0: indefinitely). */
  archiveRetentionDays: 30,
  /** Timeout of the ingest and query functions, in seconds. */
  functionTimeoutSeconds: 10,
  /** Memory of the ingest, query and sweep functions, in MiB. */
  memorySize: 512,
  /** Retention of the log groups, in days. */
  logRetentionDays: 30,
  /** The API stage name. */
  stageName: 'prod',
} as const;

/**
 * What a function reads when `STATUS_UNKNOWN_AFTER_SECONDS` is not set: off. Only the
 * deployment turns the sweep on (with {@link DEFAULTS}`.statusUnknownAfterSeconds` unless given).
 */
export const STATUS_UNKNOWN_OFF = 0;

/** Settings every function shares: the `service` and namespace of its logs and metrics, and tracing. */
export interface ObservabilitySettings {
  /** @default DEFAULTS.serviceName */
  readonly serviceName?: string;
  /** @default DEFAULTS.metricsNamespace */
  readonly metricsNamespace?: string;
  /** Powertools Tracer on or off; left out of the environment when not given (off). */
  readonly tracing?: boolean;
}

/** Where the ingest function reads the shared secret: a Secrets Manager secret, or the value itself (local runs). */
export type SecretSetting = { readonly arn: string } | { readonly value: string };

/** The ingest function's settings. */
export interface IngestSettings extends ObservabilitySettings {
  readonly tableName: string;
  readonly secret: SecretSetting;
  /** @default DEFAULTS.historyRetentionDays */
  readonly historyRetentionDays?: number;
  /** @default DEFAULTS.rejectedRetentionDays */
  readonly rejectedRetentionDays?: number;
  /** @default DEFAULTS.retryAfterSeconds */
  readonly retryAfterSeconds?: number;
  /** @default DEFAULTS.statusUnknownAfterSeconds */
  readonly statusUnknownAfterSeconds?: number;
}

/** The query function's settings. */
export interface QuerySettings extends ObservabilitySettings {
  readonly tableName: string;
  /** @default DEFAULTS.retryAfterSeconds */
  readonly retryAfterSeconds?: number;
}

/** The stream publisher's settings: where its events go (it reads no table: the stream record carries the entry). */
export interface PublisherSettings extends ObservabilitySettings {
  /** Name or ARN of the bus (an ARN for a bus of another account). */
  readonly eventBusName: string;
  /** @default DEFAULTS.eventSource */
  readonly eventSource?: string;
}

/** The status-unknown sweep's settings (it runs the ingest function's store; its events follow from the stream). */
export interface SweepSettings extends ObservabilitySettings {
  readonly tableName: string;
  /** @default DEFAULTS.historyRetentionDays */
  readonly historyRetentionDays?: number;
  /** The wait, positive (the sweep runs only when it is on). */
  readonly statusUnknownAfterSeconds: number;
}

/** An environment: variable name to value. */
export type Environment = Record<string, string>;

function observability(settings: ObservabilitySettings): Environment {
  return {
    [ENV.serviceName]: settings.serviceName ?? DEFAULTS.serviceName,
    [ENV.metricsNamespace]: settings.metricsNamespace ?? DEFAULTS.metricsNamespace,
    ...(settings.tracing === undefined ? {} : { [ENV.tracingEnabled]: String(settings.tracing) }),
  };
}

/** What every function that writes postbacks reads: table, logs and metrics. */
function writer(settings: QuerySettings): Environment {
  return { [ENV.tableName]: settings.tableName, ...observability(settings) };
}

/**
 * The ingest function's environment.
 *
 * @example
 * ingestEnvironment({ tableName: 't', secret: { value: 's' } }).RETRY_AFTER_SECONDS; // '5'
 */
export function ingestEnvironment(settings: IngestSettings): Environment {
  return {
    ...writer(settings),
    ...('arn' in settings.secret ? { [ENV.secretArn]: settings.secret.arn } : { [ENV.secretValue]: settings.secret.value }),
    [ENV.historyRetentionDays]: String(settings.historyRetentionDays ?? DEFAULTS.historyRetentionDays),
    [ENV.rejectedRetentionDays]: String(settings.rejectedRetentionDays ?? DEFAULTS.rejectedRetentionDays),
    [ENV.retryAfterSeconds]: String(settings.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds),
    [ENV.statusUnknownAfterSeconds]: String(settings.statusUnknownAfterSeconds ?? DEFAULTS.statusUnknownAfterSeconds),
  };
}

/**
 * The query function's environment.
 *
 * @example
 * queryEnvironment({ tableName: 't' }); // { TABLE_NAME: 't', POWERTOOLS_SERVICE_NAME: 'mms-postbacks', … }
 */
export function queryEnvironment(settings: QuerySettings): Environment {
  return {
    [ENV.tableName]: settings.tableName,
    ...observability(settings),
    [ENV.retryAfterSeconds]: String(settings.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds),
  };
}

/**
 * The stream publisher's environment: the bus, the events' `Source`, logs and metrics.
 *
 * @example
 * publisherEnvironment({ eventBusName: 'b' }); // { EVENT_BUS_NAME: 'b', EVENT_SOURCE: 'mms.postbacks', POWERTOOLS_SERVICE_NAME: 'mms-postbacks', … }
 */
export function publisherEnvironment(settings: PublisherSettings): Environment {
  return {
    [ENV.eventBusName]: settings.eventBusName,
    [ENV.eventSource]: settings.eventSource ?? DEFAULTS.eventSource,
    ...observability(settings),
  };
}

/**
 * The status-unknown sweep's environment: the ingest function's store settings (no secret:
 * it answers no request; no bus: its synthetic entries are published from the stream).
 *
 * @example
 * sweepEnvironment({ tableName: 't', statusUnknownAfterSeconds: 259200 }).STATUS_UNKNOWN_AFTER_SECONDS; // '259200'
 */
export function sweepEnvironment(settings: SweepSettings): Environment {
  return {
    ...writer(settings),
    [ENV.historyRetentionDays]: String(settings.historyRetentionDays ?? DEFAULTS.historyRetentionDays),
    [ENV.statusUnknownAfterSeconds]: String(settings.statusUnknownAfterSeconds),
  };
}
