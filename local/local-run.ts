/**
 * The local run, as one object: DynamoDB Local with the table (and its stream) created from
 * `lambda/table/table-definition.ts`, the loopback EventBridge, the local API Gateway feeding proxy
 * events to the real, unmodified handlers of `lambda/handlers/`, and the stream poller
 * (`local/stream-poller.ts`) feeding the table's stream to the unmodified publisher handler the
 * way the event source mapping does (the construct's filter, batch size, batching window and
 * retries from the configuration contract). Used by
 * `npm start` (`local/start.ts`) and by the fault load test (`loadtest/fault-local-run.ts`),
 * which puts fault proxies between the handlers and the endpoints (`interpose`).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import {
  DEFAULTS,
  ENV,
  type Environment,
  ingestEnvironment,
  publisherEnvironment,
  queryEnvironment,
  sweepEnvironment,
} from '../lambda/config-contract';
import { PUBLISHER_STREAM_FILTER } from '../lambda/publisher/stream-filter';
import { lambdaContext } from './api-gateway-event';
import { type DynamoDbLocal, ensureTable, LocalEnvironmentError, localDynamoDbClient, startDynamoDbLocal } from './dynamodb-local';
import { type EventBridgeLocal, type RecordedEvent, startEventBridgeLocal } from './eventbridge-local';
import { type LocalApi, type ProxyHandler, startLocalApi } from './http-server';
import { type DiscardedBatch, type InvocationReport, type StreamHandler, StreamPoller } from './stream-poller';

/** The secret of local runs when `POSTBACK_SECRET` is not set. */
export const DEFAULT_SECRET = 'local-dev-secret';
/** The wait before `MMS Status Unknown` when `STATUS_UNKNOWN_AFTER_SECONDS` is not set: 72 hours, as in AWS. */
export const DEFAULT_STATUS_UNKNOWN_AFTER_SECONDS = DEFAULTS.statusUnknownAfterSeconds;
const REPO_ROOT = path.resolve(__dirname, '..');
/** The table and bus names of local runs when `TABLE_NAME` and `EVENT_BUS_NAME` are not set. */
export const LOCAL_NAME = 'mms-postbacks-local';

/** The settings every local run reads from its environment (`npm start`, the fault load test's local run). */
export type LocalRunSettings = Pick<
  LocalRunOptions,
  'port' | 'dynamoDbPort' | 'localDir' | 'secret' | 'tableName' | 'eventBusName' | 'eventSource'
>;

/**
 * Reads `PORT`, `DYNAMODB_PORT`, `LOCAL_DIR`, `POSTBACK_SECRET`, `TABLE_NAME`,
 * `EVENT_BUS_NAME` and `EVENT_SOURCE`; a malformed port throws a `LocalEnvironmentError`
 * that names it.
 *
 * @example
 * localRunSettings({ PORT: '3001' }, 3000); // { port: 3001, tableName: 'mms-postbacks-local', … }
 */
export function localRunSettings(env: NodeJS.ProcessEnv, defaultPort: number): LocalRunSettings {
  const text = (name: string) => env[name]?.trim() || undefined;
  return {
    port: parsePort('PORT', env.PORT) ?? defaultPort,
    dynamoDbPort: parsePort('DYNAMODB_PORT', env.DYNAMODB_PORT),
    localDir: path.resolve(text('LOCAL_DIR') ?? path.join(REPO_ROOT, '.local')),
    secret: text('POSTBACK_SECRET') ?? DEFAULT_SECRET,
    tableName: text(ENV.tableName) ?? LOCAL_NAME,
    eventBusName: text(ENV.eventBusName) ?? LOCAL_NAME,
    eventSource: text(ENV.eventSource) ?? DEFAULTS.eventSource,
  };
}

function parsePort(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new LocalEnvironmentError(`${name} must be a port number from 1 to 65535, got "${raw}"`);
  }
  return port;
}

/** Where the handlers send their DynamoDB and EventBridge requests. */
export interface LocalRunEndpoints {
  readonly dynamodb: string;
  readonly eventbridge: string;
}

export interface LocalRunOptions {
  /** The API's port on 127.0.0.1 (0: a free one). */
  readonly port: number;
  /** @default a free port */
  readonly dynamoDbPort?: number;
  /** Where `events.jsonl` (and, with `persist`, the DynamoDB data) are kept. */
  readonly localDir: string;
  /** Keep DynamoDB's data in `<localDir>/dynamodb` instead of memory. @default false */
  readonly persist?: boolean;
  readonly secret: string;
  readonly tableName: string;
  readonly eventBusName: string;
  readonly eventSource: string;
  /** Called for each event the local EventBridge records. */
  readonly onEvent?: (event: RecordedEvent) => void;
  /** Called with one line per HTTP request. */
  readonly log?: (line: string) => void;
  /**
   * The event source mapping of the publisher, as the construct configures it by default
   * (`DEFAULTS.publisherBatchSize`, `publisherMaxBatchingWindowSeconds`, `publisherRetryAttempts`,
   * `publisherTimeoutSeconds`); tests shorten the pause between retries.
   */
  readonly stream?: {
    readonly batchSize?: number;
    readonly maxBatchingWindowMs?: number;
    readonly retryAttempts?: number;
    readonly retryDelayMs?: (attempt: number) => number;
  };
  /** Called with each batch the mapping gives up on (also appended to `<localDir>/publish-failures.jsonl`). */
  readonly onPublishFailure?: (batch: DiscardedBatch) => void;
  /** Called after each invocation of the publisher. */
  readonly onPublisherInvoke?: (report: InvocationReport) => void;
  /**
   * Seconds a message may wait for a final postback before the status-unknown sweep declares
   * it unknown; 0 turns the sweep off. @default 259200 (72 hours)
   */
  readonly statusUnknownAfterSeconds?: number;
  /** Seconds between two runs of the status-unknown sweep (every minute in AWS). @default 60 */
  readonly sweepIntervalSeconds?: number;
  /** Puts something between the handlers and the local endpoints; returns what the handlers use instead. */
  readonly interpose?: (endpoints: LocalRunEndpoints) => Promise<LocalRunEndpoints & { close(): Promise<void> }>;
}

/** The status-unknown sweep's handler, invoked on a timer as the EventBridge schedule does in AWS. */
type ScheduledHandler = (event: Record<string, never>, context: Context) => Promise<unknown>;

/** The functions of the local run, by the name of their entry in `lambda/handlers/`. */
export type LocalFunction = 'ingest' | 'query' | 'publisher' | 'status-unknown-sweep';

/**
 * Each function's own environment, built by the configuration contract's builders from the
 * options, as the construct builds the deployed ones: the query function gets no secret, the
 * sweep its own settings, the publisher its bus. A variable the shell already sets (e.g.
 * `RETRY_AFTER_SECONDS=1 npm start`) wins over a builder's default, never over what the
 * options name (table, bus, source, secret, the status-unknown wait).
 *
 * @example
 * functionEnvironments({ tableName: 't', secret: 's', eventBusName: 'b', eventSource: 'mms.postbacks' }, {}).query; // { TABLE_NAME: 't', … }
 */
export function functionEnvironments(
  o: Pick<LocalRunOptions, 'tableName' | 'secret' | 'eventBusName' | 'eventSource' | 'statusUnknownAfterSeconds'>,
  shell: NodeJS.ProcessEnv,
): Record<LocalFunction, Environment> {
  const statusUnknownAfterSeconds = o.statusUnknownAfterSeconds ?? DEFAULT_STATUS_UNKNOWN_AFTER_SECONDS;
  const fromOptions: readonly string[] = [ENV.tableName, ENV.secretValue, ENV.statusUnknownAfterSeconds, ENV.eventBusName, ENV.eventSource];
  const withShell = (env: Environment): Environment =>
    Object.fromEntries(
      Object.entries(env).map(([name, value]) => [name, fromOptions.includes(name) || shell[name] === undefined ? value : shell[name]]),
    ) as Environment;
  return {
    ingest: withShell(ingestEnvironment({ tableName: o.tableName, secret: { value: o.secret }, statusUnknownAfterSeconds })),
    query: withShell(queryEnvironment({ tableName: o.tableName })),
    publisher: withShell(publisherEnvironment({ eventBusName: o.eventBusName, eventSource: o.eventSource })),
    'status-unknown-sweep': withShell(sweepEnvironment({ tableName: o.tableName, statusUnknownAfterSeconds })),
  };
}

/**
 * Loads a function's handler with its own environment: the handlers read their configuration
 * once, at module load, so the environment is set for the load and put back afterwards (one
 * process holds every function; what they share, the AWS endpoints and region, stays set).
 */
function loadHandler(name: 'ingest' | 'query', environment: Environment): ProxyHandler;
function loadHandler(name: 'status-unknown-sweep', environment: Environment): ScheduledHandler;
function loadHandler(name: 'publisher', environment: Environment): StreamHandler;
function loadHandler(name: LocalFunction, environment: Environment): ProxyHandler | ScheduledHandler | StreamHandler {
  const modulePath = path.join(REPO_ROOT, 'lambda', 'handlers', name);
  let resolved: string;
  try {
    resolved = require.resolve(modulePath);
  } catch {
    throw new LocalEnvironmentError(`lambda/handlers/${name}.ts not found: the local run needs the ${name} handler (export const handler)`);
  }
  const before = Object.fromEntries(Object.keys(environment).map((variable) => [variable, process.env[variable]]));
  Object.assign(process.env, environment);
  let mod: { handler?: unknown; default?: { handler?: unknown } };
  try {
    mod = require(resolved) as typeof mod;
  } finally {
    for (const [variable, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[variable];
      else process.env[variable] = value;
    }
  }
  const handler = mod.handler ?? mod.default?.handler;
  if (typeof handler !== 'function') throw new LocalEnvironmentError(`lambda/handlers/${name}.ts does not export a function "handler"`);
  return handler as ProxyHandler | ScheduledHandler | StreamHandler;
}

/**
 * @example
 * const localRun = new LocalRun({ port: 3000, localDir: '.local', secret: DEFAULT_SECRET, tableName: 't', eventBusName: 'b', eventSource: 'mms.postbacks' });
 * if (await localRun.start()) console.log(localRun.api?.url);
 * await localRun.stop();
 */
export class LocalRun {
  api: LocalApi | undefined;
  ddb: DynamoDbLocal | undefined;
  eb: EventBridgeLocal | undefined;
  readonly eventsFile: string;
  /** Where the records the publisher's mapping gave up on are appended (the on-failure destination, locally). */
  readonly failuresFile: string;
  /** The publisher's event source mapping, once started. */
  poller: StreamPoller | undefined;
  private interposed: { close(): Promise<void> } | undefined;
  private stopping: Promise<void> | undefined;
  private ingest: ProxyHandler | undefined;
  private query: ProxyHandler | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweepRun: Promise<unknown> | undefined;

  constructor(private readonly options: LocalRunOptions) {
    this.eventsFile = path.join(options.localDir, 'events.jsonl');
    this.failuresFile = path.join(options.localDir, 'publish-failures.jsonl');
  }

  /** Whether `stop()` has been called. */
  get stopped(): boolean {
    return this.stopping !== undefined;
  }

  /**
   * Starts everything; resolves `false` when `stop()` was called meanwhile. The HTTP port is
   * taken first, so that a busy port fails at once, before Java starts. On an error, what
   * was started is stopped and the error is thrown.
   */
  async start(): Promise<boolean> {
    const o = this.options;
    mkdirSync(o.localDir, { recursive: true });
    try {
      this.api = await startLocalApi({
        port: o.port,
        routes: [
          { resource: '/postbacks', method: 'POST', functionName: 'IngestFunction', handler: () => this.ingest },
          { resource: '/messages/{trackingId}', method: 'GET', functionName: 'QueryFunction', handler: () => this.query },
          { resource: '/messages', method: 'GET', functionName: 'QueryFunction', handler: () => this.query },
        ],
        log: o.log,
      });
      this.ddb = await startDynamoDbLocal({ port: o.dynamoDbPort, persistDir: o.persist ? path.join(o.localDir, 'dynamodb') : undefined });
      if (this.stopped) return this.closeLateStarters();
      const client = localDynamoDbClient(this.ddb.endpoint);
      try {
        await ensureTable(client, o.tableName);
      } finally {
        client.destroy();
      }
      this.eb = await startEventBridgeLocal({ eventsFile: this.eventsFile, onEvent: o.onEvent });
      if (this.stopped) return this.closeLateStarters();
      let endpoints: LocalRunEndpoints = { dynamodb: this.ddb.endpoint, eventbridge: this.eb.endpoint };
      if (o.interpose) {
        const interposed = await o.interpose(endpoints);
        this.interposed = interposed;
        endpoints = interposed;
      }

      // What every function shares: only the standard endpoint variables point them at the
      // local endpoints. Each function then loads with its own environment (functionEnvironments).
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
        AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventbridge,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        // EMF metric lines mean nothing without CloudWatch: off unless asked for.
        POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
      });
      for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', ENV.secretArn, 'AWS_DEFAULT_REGION']) delete process.env[name];
      const environments = functionEnvironments(o, process.env);
      this.ingest = loadHandler('ingest', environments.ingest);
      this.query = loadHandler('query', environments.query);
      // The mapping reads DynamoDB Local directly (it is AWS's side, not the function's): no proxy
      // in between, so a DynamoDB fault of the load test reaches the handlers, not the stream.
      await this.startPublisher(this.ddb.endpoint, loadHandler('publisher', environments.publisher));
      this.startSweep(environments['status-unknown-sweep']);
      return !this.stopped;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Stops whatever has started (any time, also during `start()`), Java last; idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.closeAll();
    return this.stopping;
  }

  /** Starts the publisher's event source mapping on the table's stream, configured as the construct's defaults. */
  private async startPublisher(endpoint: string, handler: StreamHandler): Promise<void> {
    const o = this.options;
    this.poller = new StreamPoller({
      endpoint,
      tableName: o.tableName,
      handler,
      functionName: 'PublisherFunction',
      filters: [PUBLISHER_STREAM_FILTER],
      batchSize: o.stream?.batchSize ?? DEFAULTS.publisherBatchSize,
      maxBatchingWindowMs: o.stream?.maxBatchingWindowMs ?? DEFAULTS.publisherMaxBatchingWindowSeconds * 1000,
      retryAttempts: o.stream?.retryAttempts ?? DEFAULTS.publisherRetryAttempts,
      ...(o.stream?.retryDelayMs ? { retryDelayMs: o.stream.retryDelayMs } : {}),
      bisectOnError: true,
      timeoutMs: DEFAULTS.publisherTimeoutSeconds * 1000,
      failuresFile: this.failuresFile,
      ...(o.onPublishFailure ? { onDiscard: o.onPublishFailure } : {}),
      ...(o.onPublisherInvoke ? { onInvoke: o.onPublisherInvoke } : {}),
      log: (line) => o.log?.(line),
    });
    await this.poller.start();
  }

  /** Runs the real status-unknown sweep handler every `sweepIntervalSeconds`, one run at a time (as the schedule does in AWS). */
  private startSweep(environment: Environment): void {
    if ((this.options.statusUnknownAfterSeconds ?? DEFAULT_STATUS_UNKNOWN_AFTER_SECONDS) <= 0) return;
    const sweep = loadHandler('status-unknown-sweep', environment);
    this.sweepTimer = setInterval(
      () => {
        if (this.sweepRun || this.stopped) return;
        this.sweepRun = sweep({}, lambdaContext('StatusUnknownSweepFunction', randomUUID(), DEFAULTS.sweepTimeoutSeconds * 1000))
          .catch((error: unknown) => this.options.log?.(`sweep  failed: ${(error as Error).message}`))
          .finally(() => {
            this.sweepRun = undefined;
          });
      },
      (this.options.sweepIntervalSeconds ?? 60) * 1000,
    );
    this.sweepTimer.unref();
  }

  private async closeAll(): Promise<void> {
    clearInterval(this.sweepTimer);
    await Promise.all([this.sweepRun, this.poller?.stop()]);
    await Promise.allSettled([this.api?.close(), this.eb?.close(), this.interposed?.close()]);
    await this.ddb?.stop();
  }

  /** `stop()` ran while a piece was still starting: close again, now that the piece exists. */
  private async closeLateStarters(): Promise<false> {
    await this.stopping;
    await this.closeAll();
    return false;
  }
}
