/**
 * Configuration of the functions, read once from the environment, trimmed and typed.
 * This is the only module that reads `process.env`. Missing required variables fail
 * fast with a message that names them. The variable names and the defaults come from the
 * configuration contract (`config-contract.ts`), which also builds the environments.
 */

import { DEFAULTS, ENV, STATUS_UNKNOWN_OFF } from './config-contract';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function optionalString(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function requiredString(env: Env, name: string): string {
  const value = optionalString(env, name);
  if (value === undefined) throw new ConfigError(`Missing required environment variable ${name}`);
  return value;
}

/**
 * An integer variable of at least `min` (1: positive, 0: non-negative): `fallback` when it
 * is not set, or a {@link ConfigError} naming it when it is `'required'`.
 */
function integer(env: Env, name: string, fallback: number | 'required', min: 0 | 1): number {
  const raw = optionalString(env, name);
  if (raw === undefined) {
    if (fallback === 'required') throw new ConfigError(`Missing required environment variable ${name}`);
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`Environment variable ${name} must be a ${min === 1 ? 'positive' : 'non-negative'} integer, got "${raw}"`);
  }
  return value;
}

/** Where the shared secret comes from; `none` means every request is refused (fail closed). */
export type SecretConfig =
  | { readonly kind: 'secretsManager'; readonly secretArn: string; readonly refreshSeconds: number }
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'none' };

/** The `service` and namespace of a function's logs and metrics. */
export interface ObservabilityConfig {
  /** `POWERTOOLS_SERVICE_NAME`, default `mms-postbacks`: the `service` of logs and metrics. */
  readonly serviceName: string;
  /** `POWERTOOLS_METRICS_NAMESPACE`, default `MmsPostbacks`. */
  readonly metricsNamespace: string;
}

function loadObservabilityConfig(env: Env): ObservabilityConfig {
  return {
    serviceName: optionalString(env, ENV.serviceName) ?? DEFAULTS.serviceName,
    metricsNamespace: optionalString(env, ENV.metricsNamespace) ?? DEFAULTS.metricsNamespace,
  };
}

/** What every function that writes postbacks reads (the ingest function and the status-unknown sweep). */
export interface StoreConfig extends ObservabilityConfig {
  /** `TABLE_NAME`: the DynamoDB table. */
  readonly tableName: string;
  /** `HISTORY_RETENTION_DAYS`, default 90: TTL of history and state items. */
  readonly historyRetentionDays: number;
  /** `REJECTED_RETENTION_DAYS`, default 14: TTL of refused-but-authenticated postbacks. */
  readonly rejectedRetentionDays: number;
  /**
   * `STATUS_UNKNOWN_AFTER_SECONDS`, default 0 (off): how long a message may wait for a final
   * postback before the status-unknown sweep declares it unknown. The construct sets it.
   */
  readonly statusUnknownAfterSeconds: number;
}

/**
 * Reads the store settings of a function that writes postbacks.
 *
 * @example
 * const store = loadStoreConfig(); // TABLE_NAME=postbacks
 */
export function loadStoreConfig(env: Env = process.env): StoreConfig {
  return {
    tableName: requiredString(env, ENV.tableName),
    historyRetentionDays: integer(env, ENV.historyRetentionDays, DEFAULTS.historyRetentionDays, 1),
    rejectedRetentionDays: integer(env, ENV.rejectedRetentionDays, DEFAULTS.rejectedRetentionDays, 1),
    statusUnknownAfterSeconds: integer(env, ENV.statusUnknownAfterSeconds, STATUS_UNKNOWN_OFF, 0),
    ...loadObservabilityConfig(env),
  };
}

export interface IngestConfig extends StoreConfig {
  /** `POSTBACK_SECRET_ARN` (preferred) or `POSTBACK_SECRET`. */
  readonly secret: SecretConfig;
  /** `RETRY_AFTER_SECONDS`, default 5: the `Retry-After` of 503 answers. */
  readonly retryAfterSeconds: number;
}

/**
 * Reads the ingest function's configuration.
 *
 * @example
 * const config = loadIngestConfig(); // reads process.env once
 */
export function loadIngestConfig(env: Env = process.env): IngestConfig {
  const secretArn = optionalString(env, ENV.secretArn);
  const literal = optionalString(env, ENV.secretValue);
  const secret: SecretConfig = secretArn
    ? { kind: 'secretsManager', secretArn, refreshSeconds: integer(env, ENV.secretRefreshSeconds, DEFAULTS.secretRefreshSeconds, 1) }
    : literal
      ? { kind: 'literal', value: literal }
      : { kind: 'none' };
  return {
    ...loadStoreConfig(env),
    secret,
    retryAfterSeconds: integer(env, ENV.retryAfterSeconds, DEFAULTS.retryAfterSeconds, 1),
  };
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = optionalString(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`Environment variable ${name} must be true or false, got "${raw}"`);
}

/**
 * The functions' AWS settings. Credentials, FIPS and dual-stack settings are left to the
 * AWS SDK, which reads them from the variables Lambda sets.
 */
export interface AwsConfig {
  /** `AWS_REGION` (or `AWS_DEFAULT_REGION`): Lambda sets it. */
  readonly region: string;
  /**
   * Endpoints configured with the standard `AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL`
   * variables (unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`), read as the SDK reads
   * them; absent (the SDK's regional endpoint) when none is set, as in Lambda.
   */
  readonly endpoints: { readonly dynamodb?: string; readonly eventbridge?: string; readonly secretsManager?: string };
  /**
   * `POWERTOOLS_TRACE_ENABLED`, default false: record X-Ray subsegments (the handler and
   * every AWS call) with Powertools Tracer. The construct sets it with active tracing.
   */
  readonly tracingEnabled: boolean;
  /**
   * Credentials are in the environment (`AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, as
   * Lambda passes the execution role's): the clients take them from there once per container
   * (`platform/aws-clients.ts`) instead of asking the default provider on every request.
   */
  readonly credentialsInEnvironment: boolean;
}

/**
 * Reads the AWS settings of a function.
 *
 * @example
 * const aws = loadAwsConfig(); // in Lambda: { region: 'eu-west-1', endpoints: {}, tracingEnabled: false, credentialsInEnvironment: true }
 */
export function loadAwsConfig(env: Env = process.env): AwsConfig {
  const region = optionalString(env, 'AWS_REGION') ?? optionalString(env, 'AWS_DEFAULT_REGION');
  if (region === undefined) throw new ConfigError('Missing required environment variable AWS_REGION');
  return {
    region,
    endpoints: {
      dynamodb: configuredEndpoint(env, 'DYNAMODB'),
      eventbridge: configuredEndpoint(env, 'EVENTBRIDGE'),
      secretsManager: configuredEndpoint(env, 'SECRETS_MANAGER'),
    },
    tracingEnabled: flag(env, ENV.tracingEnabled, false),
    credentialsInEnvironment:
      optionalString(env, 'AWS_ACCESS_KEY_ID') !== undefined && optionalString(env, 'AWS_SECRET_ACCESS_KEY') !== undefined,
  };
}

function configuredEndpoint(env: Env, serviceId: string): string | undefined {
  if (optionalString(env, 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS') === 'true') return undefined;
  const url = optionalString(env, `AWS_ENDPOINT_URL_${serviceId}`) ?? optionalString(env, 'AWS_ENDPOINT_URL');
  if (url !== undefined && !URL.canParse(url)) throw new ConfigError(`The endpoint for ${serviceId} is not a URL: "${url}"`);
  return url;
}

export interface QueryConfig {
  /** `TABLE_NAME`: the DynamoDB table (read only). */
  readonly tableName: string;
  /** `POWERTOOLS_SERVICE_NAME`, default `mms-postbacks`. */
  readonly serviceName: string;
  /** `RETRY_AFTER_SECONDS`, default 5: the `Retry-After` of 503 answers. */
  readonly retryAfterSeconds: number;
}

/**
 * Reads the query function's configuration.
 *
 * @example
 * const config = loadQueryConfig();
 */
export function loadQueryConfig(env: Env = process.env): QueryConfig {
  return {
    tableName: requiredString(env, ENV.tableName),
    serviceName: optionalString(env, ENV.serviceName) ?? DEFAULTS.serviceName,
    retryAfterSeconds: integer(env, ENV.retryAfterSeconds, DEFAULTS.retryAfterSeconds, 1),
  };
}

export interface PublisherConfig extends ObservabilityConfig {
  /** `EVENT_BUS_NAME`: name or ARN of the EventBridge bus. */
  readonly eventBusName: string;
  /** `EVENT_SOURCE`, default `mms.postbacks`: the `Source` of the events. */
  readonly eventSource: string;
}

/**
 * Reads the stream publisher's configuration.
 *
 * @example
 * const config = loadPublisherConfig(); // EVENT_BUS_NAME=postbacks
 */
export function loadPublisherConfig(env: Env = process.env): PublisherConfig {
  return {
    eventBusName: requiredString(env, ENV.eventBusName),
    eventSource: optionalString(env, ENV.eventSource) ?? DEFAULTS.eventSource,
    ...loadObservabilityConfig(env),
  };
}

export interface SweepConfig {
  /** `STATUS_UNKNOWN_AFTER_SECONDS` (required, positive): the wait that ends in `MMS Status Unknown`. */
  readonly statusUnknownAfterSeconds: number;
  /** `SWEEP_MAX_PER_RUN`, default 20000: the most messages one run marks unknown (bounded work; the next run continues). */
  readonly maxPerRun: number;
  /** `SWEEP_PAGE_SIZE`, default 50: index entries read per Query, states per BatchGetItem. */
  readonly pageSize: number;
}

/**
 * Reads the status-unknown sweep's own settings (it also reads the store settings, see
 * {@link loadStoreConfig}).
 *
 * @example
 * const sweep = loadSweepConfig(); // STATUS_UNKNOWN_AFTER_SECONDS=259200
 */
export function loadSweepConfig(env: Env = process.env): SweepConfig {
  const pageSize = integer(env, ENV.sweepPageSize, DEFAULTS.sweepPageSize, 1);
  // BatchGetItem reads at most 100 items per request.
  if (pageSize > 100) throw new ConfigError(`Environment variable ${ENV.sweepPageSize} must be at most 100, got ${pageSize}`);
  return {
    // The sweep runs only when the wait is on: it has no default, and 0 (off) is refused.
    statusUnknownAfterSeconds: integer(env, ENV.statusUnknownAfterSeconds, 'required', 1),
    maxPerRun: integer(env, ENV.sweepMaxPerRun, DEFAULTS.sweepMaxPerRun, 1),
    pageSize,
  };
}
