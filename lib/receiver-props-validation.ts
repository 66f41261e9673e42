import { isIP } from 'node:net';
import { RemovalPolicy, Token } from 'aws-cdk-lib';
import { type MmsPostbackReceiverProps, RECEIVER_DEFAULTS } from './receiver-props';
import { ReceiverPropsError } from './receiver-props-error';

/** A decimal prefix length without leading zeros. */
const PREFIX_LENGTH = /^(0|[1-9]\d{0,2})$/;

/**
 * Whether a string is an IPv4 or IPv6 CIDR range (`203.0.113.0/24`, `2001:db8::/32`): the
 * address as Node's `net.isIP` reads it (no zone index), the prefix within the address length.
 *
 * @example
 * isCidr('2001:db8::/32'); // true
 * isCidr('203.0.113.0/33'); // false
 */
export function isCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (address === undefined || prefix === undefined || rest.length > 0 || address.includes('%') || !PREFIX_LENGTH.test(prefix))
    return false;
  const version = isIP(address);
  return version !== 0 && Number(prefix) <= (version === 4 ? 32 : 128);
}

function requireInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw new ReceiverPropsError(`${name} must be an integer ${range}, got ${value}`);
  }
}

/**
 * Checks the props of `MmsPostbackReceiver` at synth (unresolved tokens are left to
 * CloudFormation).
 *
 * @throws ReceiverPropsError naming the invalid or conflicting props
 * @example
 * validateReceiverProps({ publisherBatchSize: 20 }); // throws: publisherBatchSize must be an integer between 1 and 10, got 20
 */
export function validateReceiverProps(props: MmsPostbackReceiverProps): void {
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
  const rate = props.throttlingRateLimit ?? RECEIVER_DEFAULTS.throttlingRateLimit;
  if (!Token.isUnresolved(rate) && !(Number.isFinite(rate) && rate > 0)) {
    throw new ReceiverPropsError(`throttlingRateLimit must be a positive number, got ${rate}`);
  }
  requireInteger('throttlingBurstLimit', props.throttlingBurstLimit ?? RECEIVER_DEFAULTS.throttlingBurstLimit, 0, 5000);
  requireInteger('historyRetentionDays', props.historyRetentionDays ?? RECEIVER_DEFAULTS.historyRetentionDays, 1);
  const statusUnknownAfter = (props.statusUnknownAfter ?? RECEIVER_DEFAULTS.statusUnknownAfter).toSeconds();
  if (statusUnknownAfter !== 0 && statusUnknownAfter < 60) {
    throw new ReceiverPropsError(`statusUnknownAfter must be 0 (off) or at least one minute, got ${statusUnknownAfter} s`);
  }
  requireInteger('rejectedRetentionDays', props.rejectedRetentionDays ?? RECEIVER_DEFAULTS.rejectedRetentionDays, 1);
  requireInteger('archiveRetentionDays', props.archiveRetentionDays ?? RECEIVER_DEFAULTS.archiveRetentionDays, 0);
  requireInteger('retryAfterSeconds', props.retryAfterSeconds ?? RECEIVER_DEFAULTS.retryAfterSeconds, 1);
  requireInteger('memorySize', props.memorySize ?? RECEIVER_DEFAULTS.memorySize, 128, 10240);
  if (props.reservedConcurrency !== undefined) requireInteger('reservedConcurrency', props.reservedConcurrency, 1);
  if (props.warmThroughput?.writeUnitsPerSecond !== undefined) {
    requireInteger('warmThroughput.writeUnitsPerSecond', props.warmThroughput.writeUnitsPerSecond, 1);
  }
  if (props.warmThroughput?.readUnitsPerSecond !== undefined) {
    requireInteger('warmThroughput.readUnitsPerSecond', props.warmThroughput.readUnitsPerSecond, 1);
  }
  // One PutEvents request carries at most 10 entries (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html).
  requireInteger('publisherBatchSize', props.publisherBatchSize ?? RECEIVER_DEFAULTS.publisherBatchSize, 1, 10);
  // MaximumRetryAttempts of a stream event source mapping: -1 (infinite) or 0 to 10,000; bounded here on purpose
  // (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html).
  requireInteger('publisherRetryAttempts', props.publisherRetryAttempts ?? RECEIVER_DEFAULTS.publisherRetryAttempts, 0, 10_000);
  const window = props.publisherMaxBatchingWindow ?? RECEIVER_DEFAULTS.publisherMaxBatchingWindow;
  if (!window.isUnresolved() && !(window.toSeconds() >= 0 && window.toSeconds() <= 300)) {
    throw new ReceiverPropsError(`publisherMaxBatchingWindow must be 0 to 300 seconds, got ${window.toSeconds()}`);
  }
  const timeout = props.functionTimeout ?? RECEIVER_DEFAULTS.functionTimeout;
  if (!timeout.isUnresolved()) {
    const timeoutSeconds = timeout.toSeconds();
    if (timeoutSeconds > 29) {
      throw new ReceiverPropsError(
        `functionTimeout must be at most 29 seconds (the API Gateway integration timeout), got ${timeoutSeconds}`,
      );
    }
  }
  if (props.removalPolicy === RemovalPolicy.SNAPSHOT) {
    throw new ReceiverPropsError('removalPolicy SNAPSHOT is not supported by DynamoDB tables; use RETAIN or DESTROY');
  }
  const source = props.eventSource ?? RECEIVER_DEFAULTS.eventSource;
  if (!Token.isUnresolved(source) && (source.length === 0 || source.length > 256 || source.startsWith('aws.'))) {
    throw new ReceiverPropsError(`eventSource must be 1 to 256 characters and must not start with "aws.", got "${source}"`);
  }
}
