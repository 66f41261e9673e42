import { Duration, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { METRIC } from '../../lambda/observability';
import { MmsPostbackReceiver } from '../../lib/mms-postback-receiver';
import { PostbackRelay } from '../../lib/postback-relay';
import { logicalId, nagFindings, statementsOf, templateOf, testStack } from './helpers';

describe('PostbackRelay in the receiver', () => {
  let stack: Stack;
  let receiver: MmsPostbackReceiver;
  let template: Template;
  beforeAll(() => {
    stack = testStack();
    const alarmTopic = sns.Topic.fromTopicArn(stack, 'Ops', 'arn:aws:sns:eu-west-1:123456789012:ops');
    receiver = new MmsPostbackReceiver(stack, 'Receiver', { alarmTopic, serviceName: 'acme-mms', leaseSeconds: 45 });
    template = templateOf(stack);
  });

  test('runs every minute on a schedule, without retries of a missed run', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId(stack, receiver.relay.function), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0 },
        }),
      ],
    });
  });

  test('the function gets the table, the bus, the source and the lease of the ingest function', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Timeout: 50,
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: { Ref: logicalId(stack, receiver.table) },
          EVENT_BUS_NAME: { Ref: logicalId(stack, receiver.eventBus as events.EventBus) },
          EVENT_SOURCE: 'mms.postbacks',
          LEASE_SECONDS: '45',
          POWERTOOLS_SERVICE_NAME: 'acme-mms',
        }),
      },
    });
  });

  test('least privilege: Query on the relay index only, UpdateItem on the table, PutEvents with the receiver source', () => {
    const roleId = logicalId(stack, receiver.relay.function.role as never);
    const tableArn = { 'Fn::GetAtt': [logicalId(stack, receiver.table), 'Arn'] };
    expect(statementsOf(template, roleId)).toEqual([
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ReceiverRelayLogs/), 'Arn'] },
      },
      {
        Sid: 'FindDueEntries',
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [tableArn, '/index/byPublishDue']] },
      },
      { Sid: 'LeaseAndMarkEntries', Effect: 'Allow', Action: 'dynamodb:UpdateItem', Resource: tableArn },
      {
        Sid: 'PublishPostbackEvents',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [logicalId(stack, receiver.eventBus as events.EventBus), 'Arn'] },
        Condition: { StringEquals: { 'events:source': 'mms.postbacks' } },
      },
    ]);
  });

  test('alarm: the oldest unpublished entry reaches 4 minutes (published within 5), or the relay stops reporting', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'MmsPostbacks',
      MetricName: METRIC.oldestUnpublishedAge,
      Dimensions: [{ Name: 'service', Value: 'acme-mms' }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 240,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:ops'],
      OKActions: ['arn:aws:sns:eu-west-1:123456789012:ops'],
    });
    expect(receiver.alarms).toContain(receiver.relay.alarm);
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('PostbackRelay on its own', () => {
  const build = (props: Partial<ConstructorParameters<typeof PostbackRelay>[2]> = {}) => {
    const stack = testStack();
    const table = new dynamodb.TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const eventBus = new events.EventBus(stack, 'Bus');
    return new PostbackRelay(stack, 'Relay', { table, eventBus, eventSource: 'acme', ...props });
  };

  test('interval and deadline set the schedule and the threshold', () => {
    const relay = build({ interval: Duration.minutes(2), publishWithin: Duration.minutes(10) });
    const template = templateOf(relay.node.scope as Stack);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(2 minutes)' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 480 });
  });

  test('names a bus of this app by its name, a bus it imports (maybe of another account) by its ARN', () => {
    const own = build();
    const ownStack = own.node.scope as Stack;
    const envOf = (relay: PostbackRelay) =>
      templateOf(relay.node.scope as Stack).toJSON().Resources[logicalId(relay.node.scope as Stack, relay.function)].Properties.Environment
        .Variables;
    expect(envOf(own).EVENT_BUS_NAME).toEqual({ Ref: ownStack.getLogicalId(ownStack.node.findChild('Bus').node.defaultChild as never) });
    const stack = testStack();
    const table = new dynamodb.TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const busArn = 'arn:aws:events:eu-west-1:210987654321:event-bus/shared';
    const imported = new PostbackRelay(stack, 'Relay', {
      table,
      eventBus: events.EventBus.fromEventBusArn(stack, 'Bus', busArn),
      eventSource: 'acme',
    });
    expect(envOf(imported).EVENT_BUS_NAME).toBe(busArn);
  });

  test('refuses a timeout under 30 s and a deadline not longer than the interval', () => {
    expect(() => build({ timeout: Duration.seconds(10) })).toThrow(/timeout must be at least 30 seconds/);
    expect(() => build({ interval: Duration.minutes(5), publishWithin: Duration.minutes(5) })).toThrow(/publishWithin/);
  });
});
