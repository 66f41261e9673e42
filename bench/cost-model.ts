/**
 * The cost model of the report (`bench/cost.ts`) as pure functions: log bytes a postback
 * leaves in CloudWatch Logs besides the function's own lines (the platform's lines, the API
 * Gateway access-log line), EventBridge 64 KB chunks, and dollars per million postbacks from
 * measured figures and `bench/prices.ts`. The log-budget test uses it too.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULTS } from '../lambda/config-contract';
import { PRICES, type Prices } from './prices';

/** Budgets of the cost report: per postback (write units over every table and index, log bytes) and per million. */
export const COST_BUDGETS = {
  wruFirstPostback: 6,
  wruLaterPostback: 5,
  logBytesPerPostback: 1024,
  usdPerMillionRest: 8.75,
  usdPerMillionHttp: 6.25,
} as const;

/**
 * Ceilings the bench always enforces. With the outbox on the table's stream (no relay index,
 * no mark-published write) the design meets its budgets, so the ceilings are the budgets: a
 * figure over one is a regression and fails the bench (see docs/cost.md).
 */
export const COST_CEILINGS: { readonly [K in keyof typeof COST_BUDGETS]: number } = { ...COST_BUDGETS };

/**
 * What the report cannot measure on this machine: the billed duration of a warm invocation
 * in Lambda and the functions' memory (the construct's default `memorySize`). The ingest
 * function makes one DynamoDB transaction in-region (about 2 ms of CPU: see the bench's warm
 * figures): 30 ms billed. The publisher makes one PutEvents per invocation of up to
 * `publisherBatchSize` records (its CPU per batch is in the bench's whole-path figures): 60 ms
 * billed. Reading the stream is free: "Read requests made by AWS Lambda-based consumers of
 * DynamoDB Streams are free"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CostOptimization_StreamsUsage.html,
 * https://aws.amazon.com/dynamodb/pricing/on-demand/: GetRecords calls invoked by Lambda as
 * part of DynamoDB triggers are not charged).
 */
export const ASSUMPTIONS = {
  lambdaBilledDurationMs: 30,
  lambdaMemoryMB: DEFAULTS.memorySize,
  publisherBilledDurationMs: 60,
  publisherMemoryMB: DEFAULTS.memorySize,
  /** Publisher invocations per postback when none was measured: one per full batch. */
  publisherInvocationsPerPostback: 1 / DEFAULTS.publisherBatchSize,
} as const;

/** Sample values of the API Gateway `$context` variables an access-log line prints (a postback accepted). */
const SAMPLE_CONTEXT: Readonly<Record<string, string>> = {
  '$context.apiId': 'a1b2c3d4e5',
  '$context.requestId': randomUUID(),
  '$context.extendedRequestId': 'Kx3AbGxyIAMEbXA=',
  '$context.requestTime': '30/Nov/2026:15:11:57 +0000',
  '$context.requestTimeEpoch': '1795964517000',
  '$context.httpMethod': 'POST',
  '$context.resourcePath': '/postbacks',
  '$context.routeKey': 'POST /postbacks',
  '$context.stage': 'prod',
  '$context.protocol': 'HTTP/1.1',
  '$context.status': '200',
  '$context.responseLength': '121',
  '$context.responseLatency': '45',
  '$context.integrationStatus': '200',
  '$context.integration.status': '200',
  '$context.integrationLatency': '42',
  '$context.integration.latency': '42',
  '$context.integrationErrorMessage': '-',
  '$context.integration.error': '-',
  '$context.error.responseType': '-',
  '$context.error.message': '-',
  '$context.identity.sourceIp': '203.0.113.17',
  '$context.identity.userAgent': 'Apache-HttpClient/4.5.13 (Java/11.0.20)',
  '$context.identity.userArn': '-',
  '$context.identity.caller': '-',
  '$context.xrayTraceId': '-',
};

/**
 * The access-log line of one accepted postback for a custom access-log format (the format
 * string with each `$context` variable replaced by a typical value).
 *
 * @example
 * accessLogLine(postbackAccessLogFormat().toString()).length
 */
export function accessLogLine(format: string): string {
  return format.replace(/\$context\.[A-Za-z.]+[A-Za-z]/g, (variable) => {
    const value = SAMPLE_CONTEXT[variable];
    if (value === undefined) throw new Error(`no sample value for ${variable}: add one to SAMPLE_CONTEXT in bench/cost-model.ts`);
    return value;
  });
}

/** The logging configuration of a function, as in `lib/mms-postback-receiver.ts` (`INGEST_LOGGING`). */
export interface LoggingConfig {
  readonly loggingFormat?: string;
  readonly systemLogLevelV2?: string;
}

/**
 * The platform's lines of one invocation in the function's log group: START, END and REPORT
 * (text format) or `platform.start` and `platform.report` (JSON format), all at INFO, so a
 * system log level of WARN or above keeps them out
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html).
 */
export function platformLines(logging: LoggingConfig): string[] {
  const level = (logging.systemLogLevelV2 ?? 'INFO').toUpperCase();
  if (level === 'WARN' || level === 'ERROR' || level === 'FATAL') return [];
  const requestId = randomUUID();
  if ((logging.loggingFormat ?? 'Text').toUpperCase() === 'JSON') {
    const time = '2026-11-30T15:11:57.000Z';
    return [
      JSON.stringify({ time, type: 'platform.start', record: { requestId, version: '$LATEST' } }),
      JSON.stringify({
        time,
        type: 'platform.report',
        record: {
          requestId,
          metrics: { durationMs: 38.51, billedDurationMs: 39, memorySizeMB: 512, maxMemoryUsedMB: 88 },
          status: 'success',
        },
      }),
    ];
  }
  return [
    `START RequestId: ${requestId} Version: $LATEST`,
    `END RequestId: ${requestId}`,
    `REPORT RequestId: ${requestId}\tDuration: 38.51 ms\tBilled Duration: 39 ms\tMemory Size: 512 MB\tMax Memory Used: 88 MB\t`,
  ];
}

/** UTF-8 bytes of log lines (each line is one log event; the newline is not stored). */
export function logBytes(lines: readonly string[]): number {
  return lines.reduce((sum, line) => sum + Buffer.byteLength(line, 'utf8'), 0);
}

/** One PutEvents entry as the function sends it. */
export interface EventEntry {
  readonly source: string;
  readonly detailType: string;
  readonly detail: string;
  readonly resources?: readonly string[];
  readonly time?: boolean;
}

/**
 * Billed 64 KB chunks of one PutEvents entry: its size is Time (14 bytes, when set) plus
 * the UTF-8 bytes of Source, DetailType, Detail and each Resources entry
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html);
 * EventBridge bills custom events per 64 KB chunk (https://aws.amazon.com/eventbridge/pricing/).
 */
export function eventChunks(entry: EventEntry): number {
  const bytes =
    (entry.time ? 14 : 0) +
    Buffer.byteLength(entry.source) +
    Buffer.byteLength(entry.detailType) +
    Buffer.byteLength(entry.detail) +
    (entry.resources ?? []).reduce((sum, r) => sum + Buffer.byteLength(r), 0);
  return Math.max(1, Math.ceil(bytes / (64 * 1024)));
}

/** What one postback consumes, as measured. */
export interface PostbackFigures {
  readonly wru: number;
  readonly rru: number;
  readonly eventChunks: number;
  /** Log bytes of the function's log group and the access-log line. */
  readonly logBytes: number;
}

export interface CostLine {
  readonly apiGateway: number;
  /** The ingest function's requests and duration. */
  readonly lambda: number;
  /** The publisher's share: its requests and duration per postback (stream reads are free). */
  readonly publisher: number;
  readonly dynamoDb: number;
  readonly eventBridge: number;
  readonly logs: number;
  readonly total: number;
}

/**
 * Dollars per million postbacks that each consume `figures`, behind the REST or the HTTP API,
 * the publisher's share included (`publisherInvocationsPerPostback` invocations per postback).
 *
 * @example
 * usdPerMillion({ wru: 5, rru: 0, eventChunks: 1, logBytes: 900 }, 'rest').total
 */
export function usdPerMillion(
  figures: PostbackFigures,
  api: 'rest' | 'http',
  prices: Prices = PRICES,
  publisherInvocationsPerPostback: number = ASSUMPTIONS.publisherInvocationsPerPostback,
): CostLine {
  const apiGateway = api === 'rest' ? prices.apiGatewayRestPerMillion : prices.apiGatewayHttpPerMillion;
  const gbSeconds = (ASSUMPTIONS.lambdaMemoryMB / 1024) * (ASSUMPTIONS.lambdaBilledDurationMs / 1000);
  const lambda = prices.lambdaRequestsPerMillion + gbSeconds * prices.lambdaArmPerGbSecond * 1e6;
  const publisherGbSeconds = (ASSUMPTIONS.publisherMemoryMB / 1024) * (ASSUMPTIONS.publisherBilledDurationMs / 1000);
  const publisher =
    publisherInvocationsPerPostback * (prices.lambdaRequestsPerMillion + publisherGbSeconds * prices.lambdaArmPerGbSecond * 1e6);
  const dynamoDb = figures.wru * prices.dynamoDbWriteRequestUnitsPerMillion + figures.rru * prices.dynamoDbReadRequestUnitsPerMillion;
  const eventBridge = figures.eventChunks * prices.eventBridgeCustomEventsPerMillion;
  const logs = ((figures.logBytes * 1e6) / 2 ** 30) * prices.cloudWatchLogsIngestionPerGb;
  return {
    apiGateway,
    lambda,
    publisher,
    dynamoDb,
    eventBridge,
    logs,
    total: apiGateway + lambda + publisher + dynamoDb + eventBridge + logs,
  };
}
