import { App, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CONTEXT_KEYS, ContextError, contextHint, isCdkContextKey, misspeltContextKey, readStackContext } from '../../lib/stack-context';
import { cdkJsonContext } from './helpers';

const read = (context: Record<string, unknown>) => readStackContext(new App({ context }).node);

describe('readStackContext', () => {
  test('no context: every value undefined (construct defaults apply)', () => {
    const config = read({});
    for (const key of Object.keys(CONTEXT_KEYS)) {
      expect(config[key === 'logRetentionDays' ? 'logRetention' : (key as keyof typeof config)]).toBeUndefined();
    }
  });

  test('strings from the command line are typed', () => {
    expect(
      read({
        allowedSourceCidrs: '203.0.113.0/24, 2001:db8::/32',
        throttlingRateLimit: '50',
        throttlingBurstLimit: '75',
        historyRetentionDays: '120',
        archiveRetentionDays: '0',
        tracing: 'true',
        removalPolicy: 'DESTROY',
        logRetentionDays: '90',
        eventSource: ' acme.mms ',
      }),
    ).toEqual(
      expect.objectContaining({
        allowedSourceCidrs: ['203.0.113.0/24', '2001:db8::/32'],
        throttlingRateLimit: 50,
        throttlingBurstLimit: 75,
        historyRetentionDays: 120,
        archiveRetentionDays: 0,
        tracing: true,
        removalPolicy: RemovalPolicy.DESTROY,
        logRetention: logs.RetentionDays.THREE_MONTHS,
        eventSource: 'acme.mms',
      }),
    );
  });

  test('JSON values from cdk.json are accepted', () => {
    expect(read({ allowedSourceCidrs: ['198.51.100.0/24'], tracing: false, throttlingRateLimit: 10 })).toEqual(
      expect.objectContaining({ allowedSourceCidrs: ['198.51.100.0/24'], tracing: false, throttlingRateLimit: 10 }),
    );
    expect(read({ allowedSourceCidrs: '["198.51.100.0/24"]' }).allowedSourceCidrs).toEqual(['198.51.100.0/24']);
  });

  test.each([
    [{ tracing: 'yes' }, /"tracing": expected true or false/],
    [{ throttlingRateLimit: 'fast' }, /"throttlingRateLimit": expected a number/],
    [{ removalPolicy: 'snapshot' }, /"removalPolicy": expected retain or destroy/],
    [{ logRetentionDays: '31' }, /"logRetentionDays": expected one of/],
    [{ allowedSourceCidrs: '[1, 2]' }, /"allowedSourceCidrs": expected a list of strings/],
    [{ allowedSourceCidrs: '[oops' }, /"allowedSourceCidrs": expected a JSON array/],
    [{ secretArn: 42 }, /"secretArn": expected a string/],
    // Values the construct would refuse naming its prop (warmThroughput, statusUnknownAfter): named by their key here.
    [{ warmWriteUnitsPerSecond: '1.5' }, /"warmWriteUnitsPerSecond": expected an integer >= 1, got 1.5/],
    [{ warmReadUnitsPerSecond: '0' }, /"warmReadUnitsPerSecond": expected an integer >= 1, got 0/],
    [{ statusUnknownAfterHours: '0.001' }, /"statusUnknownAfterHours": expected 0 \(off\) or at least one minute/],
    [{ statusUnknownAfterHours: '-1' }, /"statusUnknownAfterHours": expected 0 \(off\) or at least one minute/],
  ])('%o is refused with a message naming the key', (context, message) => {
    expect(() => read(context)).toThrow(message);
  });
});

describe('misspelt context keys', () => {
  test.each([
    ['allowedSourceCidr', 'allowedSourceCidrs'],
    ['alarmEmial', 'alarmEmail'],
    ['AlarmEmail', 'alarmEmail'],
    ['tracng', 'tracing'],
    ['apiGatewayCloudwatchRole', 'apiGatewayCloudWatchRole'],
    ['eventBusArm', 'eventBusArn'],
  ])('%s is refused, naming %s', (typo, known) => {
    expect(misspeltContextKey(typo)).toBe(known);
    expect(() => read({ [typo]: 'x' })).toThrow(new RegExp(`CDK context "${typo}": unknown key; did you mean "${known}"\\?`));
  });

  test("CDK's own keys (namespaced, and the CLI's own two) and the feature flags of cdk.json are left alone", () => {
    const context = {
      ...Object.fromEntries(Object.keys(cdkJsonContext()).map((k) => [k, true])),
      'aws:cdk:bundling-stacks': [],
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:version-reporting': false,
      'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a'],
      'acknowledged-issue-numbers': [1],
      'cli-telemetry': false,
    };
    for (const key of Object.keys(context)) expect(isCdkContextKey(key)).toBe(true);
    expect(read(context)).toEqual({});
  });

  test.each(['allowedCidrs', 'allowedSourceIps', 'region', 'myOwnSetting'])(
    'an unknown key that is not namespaced (%s) is refused, listing the known keys',
    (key) => {
      expect(isCdkContextKey(key)).toBe(false);
      expect(() => read({ [key]: '203.0.113.0/24' })).toThrow(ContextError);
      expect(() => read({ [key]: '203.0.113.0/24' })).toThrow(
        `CDK context "${key}": unknown key; Known keys: ${Object.keys(CONTEXT_KEYS).join(', ')}`,
      );
    },
  );

  test('every known key is itself accepted', () => {
    for (const key of Object.keys(CONTEXT_KEYS)) expect(misspeltContextKey(key)).toBeUndefined();
  });

  test('the new keys are typed', () => {
    expect(
      read({
        apiGatewayCloudWatchRole: 'true',
        reservedConcurrency: '200',
        warmWriteUnitsPerSecond: '12000',
        warmReadUnitsPerSecond: '15000',
      }),
    ).toEqual(
      expect.objectContaining({
        apiGatewayCloudWatchRole: true,
        reservedConcurrency: 200,
        warmWriteUnitsPerSecond: 12000,
        warmReadUnitsPerSecond: 15000,
      }),
    );
  });
});

// Keys that exclude or need each other: refused while reading, as one ContextError that
// bin/app.ts prints as one line.
const CONFLICTS: Array<[Record<string, unknown>, string]> = [
  [
    { secretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:a-AbCdEf', secretName: 'b' },
    'CDK context "secretName": give either secretArn (existing secret) or secretName (new secret), not both',
  ],
  [
    { alarmTopicArn: 'arn:aws:sns:eu-west-1:1:t', alarmEmail: 'a@b.c' },
    'CDK context "alarmEmail": give either alarmTopicArn or alarmEmail, not both',
  ],
  [{ secretKmsKeyArn: 'arn:aws:kms:eu-west-1:1:key/k' }, 'CDK context "secretKmsKeyArn": needs secretArn'],
  [
    { eventBusArn: 'arn:aws:events:eu-west-1:1:event-bus/b', eventBusName: 'c' },
    'CDK context "eventBusName": give either eventBusArn (existing bus) or eventBusName (new bus), not both',
  ],
  [
    { eventBusArn: 'arn:aws:events:eu-west-1:1:event-bus/b', archiveRetentionDays: '7' },
    'CDK context "archiveRetentionDays": applies to a new event bus only: with eventBusArn, its owner manages archives',
  ],
];

describe('keys that exclude or need each other', () => {
  test.each(CONFLICTS)('%o is refused with a ContextError', (context, message) => {
    expect(() => read(context)).toThrow(ContextError);
    expect(() => read(context)).toThrow(message);
  });
});

describe('contextHint: how the example app names a receiver prop in its messages', () => {
  test.each([
    ['apiGatewayCloudWatchRole', 'true', '-c apiGatewayCloudWatchRole=true'],
    ['allowedSourceCidrs', '203.0.113.0/24', '-c allowedSourceCidrs=203.0.113.0/24'],
    ['logRetention', '90', '-c logRetentionDays=… (the prop logRetention)'],
    ['functionTimeout', 'Duration.seconds(20)', 'the construct prop functionTimeout: Duration.seconds(20) (no context key sets it)'],
  ] as const)('%s = %s: %s', (prop, value, expected) => {
    expect(contextHint(prop, value)).toBe(expected);
  });
});
