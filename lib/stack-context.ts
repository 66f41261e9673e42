import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { distance } from 'fastest-levenshtein';
import { DEFAULTS } from '../lambda/config-contract';
import type { ApiType, MmsPostbackReceiverProps } from './receiver-props';

/**
 * The CDK context keys that configure `MmsPostbacksStack` (`cdk.json` "context", or
 * `npx cdk deploy -c key=value`). Values from the command line are strings; values from
 * `cdk.json` may be JSON numbers, booleans and arrays. Every key is optional.
 *
 * @example
 * // npx cdk deploy -c allowedSourceCidrs=203.0.113.0/24 -c alarmEmail=ops@example.com
 * Object.keys(CONTEXT_KEYS); // ['stackName', 'secretArn', …]
 */
export const CONTEXT_KEYS = {
  stackName: 'Name of the stack (default MmsPostbacksStack).',
  secretArn: 'Complete ARN of an existing Secrets Manager secret holding the shared secret (default: a new generated secret).',
  secretKmsKeyArn: 'ARN of the customer-managed KMS key of that existing secret, if any (grants kms:Decrypt via Secrets Manager).',
  secretName: 'Name of the new secret (not with secretArn).',
  allowedSourceCidrs: 'CIDR ranges allowed to POST /postbacks: JSON array or comma-separated string (default: any source).',
  throttlingRateLimit: `Stage throttling, steady requests per second (default ${DEFAULTS.throttlingRateLimit}).`,
  throttlingBurstLimit: `Stage throttling, burst of requests, at most 5000 (default ${DEFAULTS.throttlingBurstLimit}).`,
  historyRetentionDays: `Days history and latest state are kept (DynamoDB TTL, default ${DEFAULTS.historyRetentionDays}).`,
  rejectedRetentionDays: `Days refused-but-authenticated postbacks are kept (default ${DEFAULTS.rejectedRetentionDays}).`,
  archiveRetentionDays: `Days the event archive keeps events, 0 = indefinitely (default ${DEFAULTS.archiveRetentionDays}; not with eventBusArn).`,
  eventSource: `Source of the published events (default ${DEFAULTS.eventSource}).`,
  eventBusArn: 'ARN of an existing event bus to publish on (default: a new bus with an archive).',
  eventBusName: 'Name of the new event bus (not with eventBusArn).',
  alarmTopicArn: 'ARN of an existing SNS topic for the alarms.',
  alarmEmail: 'E-mail address subscribed to a new alarm topic (not with alarmTopicArn).',
  tracing: 'true to enable X-Ray on the functions and the API stage (default false).',
  removalPolicy: 'retain or destroy: the table, the created secret and the log groups (default retain).',
  logRetentionDays: `Retention of the log groups, a CloudWatch Logs retention value in days (default ${DEFAULTS.logRetentionDays}).`,
  stageName: `API stage name (default ${DEFAULTS.stageName}).`,
  apiType: 'rest or http: an API Gateway REST API (default) or an HTTP API (cheaper; no allowedSourceCidrs).',
  serviceName: `Powertools service name, the \`service\` dimension of the metrics (default ${DEFAULTS.serviceName}).`,
  apiGatewayCloudWatchRole:
    'true to create the API Gateway account CloudWatch Logs role of the region (AWS::ApiGateway::Account); only where none is set yet (default false).',
  reservedConcurrency: 'Reserved concurrency of the ingest function (default: none, the unreserved account pool).',
  warmWriteUnitsPerSecond: 'Warm throughput (write units per second) of the table and each index, for a campaign (default: none).',
  warmReadUnitsPerSecond: 'Warm throughput (read units per second) of the table and each index (default: none).',
  statusUnknownAfterHours: `Hours without a final postback before MMS Status Unknown is published, 0 = off (default ${DEFAULTS.statusUnknownAfterSeconds / 3600}).`,
} as const;

export type ContextKey = keyof typeof CONTEXT_KEYS;

/**
 * The receiver props that a context key of the same name sets as is (`MmsPostbacksStack`
 * spreads them into the receiver).
 */
export type PassThroughReceiverProp =
  | 'secretName'
  | 'allowedSourceCidrs'
  | 'throttlingRateLimit'
  | 'throttlingBurstLimit'
  | 'historyRetentionDays'
  | 'rejectedRetentionDays'
  | 'archiveRetentionDays'
  | 'eventSource'
  | 'eventBusName'
  | 'tracing'
  | 'removalPolicy'
  | 'logRetention'
  | 'stageName'
  | 'serviceName'
  | 'apiGatewayCloudWatchRole'
  | 'reservedConcurrency'
  | 'apiType';

/**
 * The stack configuration read from context, typed and validated: the receiver props it
 * passes through, and the keys that only the stack reads (ARNs of existing resources, the
 * stack name, the alarm e-mail, values in other units).
 */
export interface StackContext extends Pick<MmsPostbackReceiverProps, PassThroughReceiverProp> {
  readonly stackName?: string;
  readonly secretArn?: string;
  readonly secretKmsKeyArn?: string;
  readonly eventBusArn?: string;
  readonly alarmTopicArn?: string;
  readonly alarmEmail?: string;
  readonly warmWriteUnitsPerSecond?: number;
  readonly warmReadUnitsPerSecond?: number;
  readonly statusUnknownAfterHours?: number;
}

/**
 * Thrown for a context value of the wrong type or form.
 *
 * @example
 * // npx cdk synth -c tracing=yes
 * // ContextError: CDK context "tracing": expected true or false, got "yes"
 */
export class ContextError extends Error {
  constructor(key: string, message: string) {
    super(`CDK context "${key}": ${message}`);
    this.name = 'ContextError';
  }
}

type Lookup = (key: ContextKey) => unknown;

function str(lookup: Lookup, key: ContextKey): string | undefined {
  const value = lookup(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ContextError(key, `expected a string, got ${JSON.stringify(value)}`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function num(lookup: Lookup, key: ContextKey): number | undefined {
  const value = lookup(key);
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  if (!Number.isFinite(parsed)) throw new ContextError(key, `expected a number, got ${JSON.stringify(value)}`);
  return parsed;
}

function bool(lookup: Lookup, key: ContextKey): boolean | undefined {
  const value = lookup(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ContextError(key, `expected true or false, got ${JSON.stringify(value)}`);
}

function list(lookup: Lookup, key: ContextKey): string[] | undefined {
  const value = lookup(key);
  if (value === undefined || value === null || value === '') return undefined;
  let items: unknown = value;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.startsWith('[')) {
      try {
        items = JSON.parse(trimmed);
      } catch {
        throw new ContextError(key, `expected a JSON array or a comma-separated list, got ${value}`);
      }
    } else {
      items = trimmed.split(',');
    }
  }
  if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) {
    throw new ContextError(key, `expected a list of strings, got ${JSON.stringify(value)}`);
  }
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

function removal(lookup: Lookup): RemovalPolicy | undefined {
  const value = str(lookup, 'removalPolicy');
  if (value === undefined) return undefined;
  switch (value.toLowerCase()) {
    case 'retain':
      return RemovalPolicy.RETAIN;
    case 'destroy':
      return RemovalPolicy.DESTROY;
    default:
      throw new ContextError('removalPolicy', `expected retain or destroy, got "${value}"`);
  }
}

function retention(lookup: Lookup): logs.RetentionDays | undefined {
  const days = num(lookup, 'logRetentionDays');
  if (days === undefined) return undefined;
  const allowed = Object.values(logs.RetentionDays).filter((value): value is number => typeof value === 'number');
  if (!allowed.includes(days)) {
    throw new ContextError('logRetentionDays', `expected one of ${allowed.join(', ')}, got ${days}`);
  }
  return days as logs.RetentionDays;
}

/**
 * A context key closer than this (Levenshtein distance, case-insensitive) to one of
 * {@link CONTEXT_KEYS} without being it is taken for a misspelling of it. CDK's own keys
 * (`@aws-cdk/…`, `aws:cdk:…`, `acknowledged-issue-numbers`, …) are far from every key.
 */
const MAX_TYPO_DISTANCE = 2;

/**
 * The known key that an unknown context key is a misspelling of, if any: the case differs,
 * or it is at most {@link MAX_TYPO_DISTANCE} edits away (e.g. `allowedSourceCidr`,
 * `alarmEmial`). Keys that are far from every known key (CDK's own) give `undefined`.
 *
 * @example
 * misspeltContextKey('alarmEmial'); // 'alarmEmail'
 * misspeltContextKey('@aws-cdk/core:target-partitions'); // undefined
 */
export function misspeltContextKey(key: string): ContextKey | undefined {
  if (Object.hasOwn(CONTEXT_KEYS, key)) return undefined;
  let best: { key: ContextKey; distance: number } | undefined;
  for (const known of Object.keys(CONTEXT_KEYS) as ContextKey[]) {
    const d = distance(key.toLowerCase(), known.toLowerCase());
    // Short keys need a closer match: one edit in a 5-letter key is a different word more often than a typo.
    const limit = Math.min(MAX_TYPO_DISTANCE, Math.floor(known.length / 4));
    if (d <= limit && (best === undefined || d < best.distance)) best = { key: known, distance: d };
  }
  return best?.key;
}

/**
 * Context keys that are not this app's but the CDK's: namespaced keys (starting with `@`, or
 * holding `:` or `/`: feature flags, `aws:cdk:…` settings of the CLI, cached context lookups), and the two keys the CDK CLI itself writes into the context without a
 * namespace (`cdk acknowledge`, `cdk cli-telemetry`).
 *
 * @example
 * isCdkContextKey('@aws-cdk/core:target-partitions'); // true
 * isCdkContextKey('allowedCidrs'); // false
 */
export function isCdkContextKey(key: string): boolean {
  return key.startsWith('@') || key.includes(':') || key.includes('/') || CDK_CLI_KEYS.has(key);
}

const CDK_CLI_KEYS: ReadonlySet<string> = new Set(['acknowledged-issue-numbers', 'cli-telemetry']);

/** What the message of an unknown context key says. */
function unknownKeyMessage(key: string): string {
  const known = misspeltContextKey(key);
  const guess = known === undefined ? '' : ` did you mean "${known}"?`;
  return `unknown key;${guess} Known keys: ${Object.keys(CONTEXT_KEYS).join(', ')}`;
}

/**
 * The context key that sets a receiver prop in this app, for messages printed at its synth
 * (the receiver's `settingHint`): `-c apiGatewayCloudWatchRole=true`. A prop with no key of
 * its own is named as the key that sets it (`logRetention` by `logRetentionDays`).
 *
 * @example
 * contextHint('apiGatewayCloudWatchRole', 'true'); // '-c apiGatewayCloudWatchRole=true'
 */
export function contextHint(prop: keyof MmsPostbackReceiverProps, value: string): string {
  const key: string = PROP_CONTEXT_KEYS[prop as keyof typeof PROP_CONTEXT_KEYS] ?? prop;
  if (!Object.hasOwn(CONTEXT_KEYS, key)) return `the construct prop ${prop}: ${value} (no context key sets it)`;
  return key === prop ? `-c ${key}=${value}` : `-c ${key}=… (the prop ${prop})`;
}

/** Receiver props that a context key of another name sets. */
const PROP_CONTEXT_KEYS = {
  secret: 'secretArn',
  eventBus: 'eventBusArn',
  alarmTopic: 'alarmTopicArn',
  logRetention: 'logRetentionDays',
  warmThroughput: 'warmWriteUnitsPerSecond',
  statusUnknownAfter: 'statusUnknownAfterHours',
} as const satisfies Partial<Record<keyof MmsPostbackReceiverProps, ContextKey>>;

/**
 * Reads and validates the stack's context keys ({@link CONTEXT_KEYS}). Every other key is
 * refused, with the list of known keys (and the key it resembles, if any), except the CDK's
 * own ({@link isCdkContextKey}): a misspelt or invented key (`allowedCidrs`,
 * `allowedSourceIps`) would otherwise deploy an endpoint open to every source.
 *
 * @example
 * const config = readStackContext(app.node); // e.g. { tracing: true, allowedSourceCidrs: ['203.0.113.0/24'] }
 */
export function readStackContext(node: Node): StackContext {
  for (const key of Object.keys(node.getAllContext())) {
    if (!Object.hasOwn(CONTEXT_KEYS, key) && !isCdkContextKey(key)) throw new ContextError(key, unknownKeyMessage(key));
  }
  const lookup: Lookup = (key) => node.tryGetContext(key);
  const context: StackContext = {
    stackName: str(lookup, 'stackName'),
    secretArn: str(lookup, 'secretArn'),
    secretKmsKeyArn: str(lookup, 'secretKmsKeyArn'),
    secretName: str(lookup, 'secretName'),
    allowedSourceCidrs: list(lookup, 'allowedSourceCidrs'),
    throttlingRateLimit: num(lookup, 'throttlingRateLimit'),
    throttlingBurstLimit: num(lookup, 'throttlingBurstLimit'),
    historyRetentionDays: num(lookup, 'historyRetentionDays'),
    rejectedRetentionDays: num(lookup, 'rejectedRetentionDays'),
    archiveRetentionDays: num(lookup, 'archiveRetentionDays'),
    eventSource: str(lookup, 'eventSource'),
    eventBusArn: str(lookup, 'eventBusArn'),
    eventBusName: str(lookup, 'eventBusName'),
    alarmTopicArn: str(lookup, 'alarmTopicArn'),
    alarmEmail: str(lookup, 'alarmEmail'),
    tracing: bool(lookup, 'tracing'),
    removalPolicy: removal(lookup),
    logRetention: retention(lookup),
    stageName: str(lookup, 'stageName'),
    serviceName: str(lookup, 'serviceName'),
    apiGatewayCloudWatchRole: bool(lookup, 'apiGatewayCloudWatchRole'),
    reservedConcurrency: num(lookup, 'reservedConcurrency'),
    warmWriteUnitsPerSecond: num(lookup, 'warmWriteUnitsPerSecond'),
    warmReadUnitsPerSecond: num(lookup, 'warmReadUnitsPerSecond'),
    statusUnknownAfterHours: num(lookup, 'statusUnknownAfterHours'),
    apiType: apiType(lookup),
  };
  // Keys that exclude or need each other.
  if (context.secretArn && context.secretName) {
    throw new ContextError('secretName', 'give either secretArn (existing secret) or secretName (new secret), not both');
  }
  if (context.secretKmsKeyArn && !context.secretArn) throw new ContextError('secretKmsKeyArn', 'needs secretArn');
  if (context.alarmTopicArn && context.alarmEmail)
    throw new ContextError('alarmEmail', 'give either alarmTopicArn or alarmEmail, not both');
  if (context.eventBusArn && context.eventBusName)
    throw new ContextError('eventBusName', 'give either eventBusArn (existing bus) or eventBusName (new bus), not both');
  for (const key of ['warmWriteUnitsPerSecond', 'warmReadUnitsPerSecond'] as const) {
    const units = context[key];
    if (units !== undefined && !(Number.isInteger(units) && units >= 1))
      throw new ContextError(key, `expected an integer >= 1, got ${units}`);
  }
  const hours = context.statusUnknownAfterHours;
  if (hours !== undefined && hours !== 0 && !(hours * 3600 >= 60))
    throw new ContextError('statusUnknownAfterHours', `expected 0 (off) or at least one minute (0.0167), got ${hours}`);
  if (context.eventBusArn && context.archiveRetentionDays !== undefined)
    throw new ContextError('archiveRetentionDays', 'applies to a new event bus only: with eventBusArn, its owner manages archives');
  return context;
}

function apiType(lookup: Lookup): ApiType | undefined {
  const value = str(lookup, 'apiType')?.toLowerCase();
  if (value === undefined || value === 'rest' || value === 'http') return value;
  throw new ContextError('apiType', `expected rest or http, got "${value}"`);
}
