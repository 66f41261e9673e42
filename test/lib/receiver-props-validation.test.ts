import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { MmsPostbackReceiver, type MmsPostbackReceiverProps, ReceiverPropsError } from '../../lib/mms-postback-receiver';
import { isCidr, validateReceiverProps } from '../../lib/receiver-props-validation';
import { testStack } from './helpers';

describe('isCidr', () => {
  test.each([
    ['203.0.113.0/24', true],
    ['0.0.0.0/0', true],
    ['255.255.255.255/32', true],
    ['2001:db8::/32', true],
    ['::/0', true],
    ['2001:db8:0:0:0:0:0:1/128', true],
    ['::ffff:192.0.2.0/120', true],
    ['203.0.113.7', false],
    ['203.0.113.0/33', false],
    ['203.0.113.0/024', false],
    ['10.0.0.300/8', false],
    ['01.2.3.4/8', false],
    ['2001:db8::1::/64', false],
    ['2001:db8::/129', false],
    ['fe80::1%eth0/64', false],
    ['example.com', false],
    ['203.0.113.0/24/8', false],
  ])('%s: %s', (value, expected) => {
    expect(isCidr(value)).toBe(expected);
  });
});

describe('validateReceiverProps refuses invalid or conflicting props', () => {
  const make = (props: (stack: Stack) => MmsPostbackReceiverProps) => () => {
    const stack = testStack();
    validateReceiverProps(props(stack));
  };
  const bus = (stack: Stack) => events.EventBus.fromEventBusArn(stack, 'Bus', 'arn:aws:events:eu-west-1:123456789012:event-bus/shared');
  const secret = (stack: Stack) => secretsmanager.Secret.fromSecretNameV2(stack, 'S', 'token');

  test.each<[string, (stack: Stack) => MmsPostbackReceiverProps, RegExp]>([
    ['existing bus + eventBusName', (s) => ({ eventBus: bus(s), eventBusName: 'x' }), /either eventBus .* or eventBusName/],
    [
      'existing bus + archiveRetentionDays',
      (s) => ({ eventBus: bus(s), archiveRetentionDays: 7 }),
      /archiveRetentionDays applies to a new event bus only/,
    ],
    ['existing secret + secretName', (s) => ({ secret: secret(s), secretName: 'x' }), /either secret .* or secretName/],
    [
      'publisher batch above one PutEvents request',
      () => ({ publisherBatchSize: 11 }),
      /publisherBatchSize must be an integer between 1 and 10, got 11/,
    ],
    ['publisher batch of none', () => ({ publisherBatchSize: 0 }), /publisherBatchSize must be an integer between 1 and 10, got 0/],
    [
      'unbounded publisher retries',
      () => ({ publisherRetryAttempts: -1 }),
      /publisherRetryAttempts must be an integer between 0 and 10000, got -1/,
    ],
    [
      'publisher batching window above 300 s',
      () => ({ publisherMaxBatchingWindow: Duration.seconds(301) }),
      /publisherMaxBatchingWindow must be 0 to 300 seconds, got 301/,
    ],
    ['timeout above API Gateway 29 s', () => ({ functionTimeout: Duration.seconds(30) }), /at most 29 seconds/],
    ['negative history retention', () => ({ historyRetentionDays: -1 }), /historyRetentionDays must be an integer >= 1, got -1/],
    ['zero rejected retention', () => ({ rejectedRetentionDays: 0 }), /rejectedRetentionDays must be an integer >= 1/],
    ['negative archive retention', () => ({ archiveRetentionDays: -5 }), /archiveRetentionDays must be an integer >= 0/],
    ['fractional retention', () => ({ historyRetentionDays: 1.5 }), /historyRetentionDays must be an integer/],
    [
      'bad CIDR',
      () => ({ allowedSourceCidrs: ['203.0.113.0/24', '10.0.0.300/8', 'example.com'] }),
      /invalid CIDR ranges: 10\.0\.0\.300\/8, example\.com/,
    ],
    ['CIDR without prefix length', () => ({ allowedSourceCidrs: ['203.0.113.7'] }), /invalid CIDR ranges: 203\.0\.113\.7/],
    ['bad IPv6 CIDR', () => ({ allowedSourceCidrs: ['2001:db8::1::/64'] }), /invalid CIDR ranges/],
    ['empty CIDR list', () => ({ allowedSourceCidrs: [] }), /allowedSourceCidrs must not be empty/],
    ['zero rate', () => ({ throttlingRateLimit: 0 }), /throttlingRateLimit must be a positive number/],
    ['negative burst', () => ({ throttlingBurstLimit: -1 }), /throttlingBurstLimit must be an integer between 0 and 5000/],
    ['SNAPSHOT removal', () => ({ removalPolicy: RemovalPolicy.SNAPSHOT }), /SNAPSHOT is not supported/],
    ['aws. event source', () => ({ eventSource: 'aws.mms' }), /must not start with "aws\."/],
    ['tiny memory', () => ({ memorySize: 64 }), /memorySize must be an integer between 128 and 10240/],
    ['burst above the account burst', () => ({ throttlingBurstLimit: 5001 }), /throttlingBurstLimit must be an integer between 0 and 5000/],
    ['zero reserved concurrency', () => ({ reservedConcurrency: 0 }), /reservedConcurrency must be an integer >= 1, got 0/],
    [
      'fractional warm writes',
      () => ({ warmThroughput: { writeUnitsPerSecond: 1.5 } }),
      /warmThroughput.writeUnitsPerSecond must be an integer/,
    ],
    ['negative warm reads', () => ({ warmThroughput: { readUnitsPerSecond: -1 } }), /warmThroughput.readUnitsPerSecond must be an integer/],
  ])('%s', (_name, props, message) => {
    expect(make(props)).toThrow(message);
  });
});

describe('MmsPostbackReceiver validates its props', () => {
  test('an invalid prop fails the construct with a ReceiverPropsError', () => {
    const construct = () => new MmsPostbackReceiver(testStack(), 'Receiver', { publisherBatchSize: 20 });
    expect(construct).toThrow(ReceiverPropsError);
    expect(construct).toThrow(/^MmsPostbackReceiver: publisherBatchSize must be an integer between 1 and 10/);
  });
});
