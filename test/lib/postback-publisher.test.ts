/**
 * The outbox publisher in the receiver: the table's stream, the event source mapping with
 * every setting, its on-failure queue, the two alarms, and the roles: only the publisher
 * may put events.
 */
import type { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { PUBLISHER_STREAM_FILTER } from '../../lambda/publisher/stream-filter';
import type { MmsPostbackReceiver } from '../../lib/mms-postback-receiver';
import { MmsPostbacksStack } from '../../lib/mms-postbacks-stack';
import { readStackContext } from '../../lib/stack-context';
import { defaultReceiver, everyOptionReceiver, logicalId, nagFindings, statementsOf, testApp } from './helpers';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
type Json = any;

describe('the outbox publisher with defaults', () => {
  let stack: Stack;
  let receiver: MmsPostbackReceiver;
  let template: Template;

  beforeAll(() => {
    ({ stack, receiver, template } = defaultReceiver());
  });

  test('the table has a stream of new images', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
  });

  test('one event source mapping on the stream: history inserts only, TRIM_HORIZON, 10 records within 1 s, partial failures, bisect, 5 retries, the on-failure queue', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack, receiver.publisherFunction) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack, receiver.table), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack, receiver.publisher.onFailureQueue), 'Arn'] } } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(PUBLISHER_STREAM_FILTER) }] },
    });
  });

  test('the on-failure queue is encrypted, refuses plain HTTP and keeps a record 14 days', () => {
    const queueId = logicalId(stack, receiver.publisher.onFailureQueue);
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  test('alarms: a record in the on-failure queue, and the stream lag (IteratorAge) over 2 minutes for 3 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack, receiver.publisher.onFailureQueue), 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack, receiver.publisherFunction) } }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 120_000,
      EvaluationPeriods: 3,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  test('the publisher role: its logs, PutEvents on its bus with its Source, the stream reads and the queue send; no table access', () => {
    const statements = statementsOf(template, logicalId(stack, receiver.publisherFunction.role as iam.Role));
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Sid: 'PublishPostbackEvents',
          Action: 'events:PutEvents',
          Resource: { 'Fn::GetAtt': [logicalId(stack, receiver.eventBus as events.EventBus), 'Arn'] },
          Condition: { StringEquals: { 'events:source': 'mms.postbacks' } },
        }),
        expect.objectContaining({
          Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
          Resource: { 'Fn::GetAtt': [logicalId(stack, receiver.table), 'StreamArn'] },
        }),
        expect.objectContaining({ Action: expect.arrayContaining(['sqs:SendMessage']) }),
      ]),
    );
    expect(JSON.stringify(statements)).not.toMatch(/dynamodb:(PutItem|UpdateItem|Query|GetItem|BatchGetItem)/);
  });

  test('the publisher function: Node.js 22 on arm64, a 60 s timeout, its entry', () => {
    const props = template.toJSON().Resources[logicalId(stack, receiver.publisherFunction)].Properties as Json;
    expect(props).toEqual(expect.objectContaining({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 60 }));
  });

  test('no relay: no schedule, no relay function, no byPublishDue index', () => {
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toMatch(/Relay|byPublishDue|OldestUnpublished/);
  });
});

describe('the outbox publisher with every option', () => {
  test('batch size, batching window and retries from the props; events of the given source', () => {
    const { stack, receiver, template } = everyOptionReceiver();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 5,
      MaximumBatchingWindowInSeconds: 2,
      MaximumRetryAttempts: 3,
    });
    expect(statementsOf(template, logicalId(stack, receiver.publisherFunction.role as iam.Role))).toContainEqual(
      expect.objectContaining({ Action: 'events:PutEvents', Condition: { StringEquals: { 'events:source': 'acme.mms' } } }),
    );
  });
});

test('cdk-nag AwsSolutions: no unacknowledged finding with the publisher', () => {
  const app = testApp();
  const stack = new MmsPostbacksStack(app, 'MmsPostbacksStack', {
    env: { account: '123456789012', region: 'eu-west-1' },
    config: readStackContext(app.node),
  });
  expect(nagFindings(stack)).toEqual([]);
});
