import { Duration, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { STATUS_DUE } from '../../lambda/table/table-definition';
import { MmsPostbackReceiver } from '../../lib/mms-postback-receiver';
import { MmsPostbacksStack } from '../../lib/mms-postbacks-stack';
import { readStackContext } from '../../lib/stack-context';
import { logicalId, nagFindings, statementsOf, templateOf, testApp, testStack } from './helpers';

describe('StatusUnknownSweep in MmsPostbackReceiver (default 72 hours)', () => {
  let stack: Stack;
  let receiver: MmsPostbackReceiver;
  let template: Template;

  beforeAll(() => {
    stack = testStack(testApp());
    receiver = new MmsPostbackReceiver(stack, 'Receiver');
    template = templateOf(stack);
  });

  const sweepFunctionId = () => stack.getLogicalId(receiver.statusUnknownSweep?.function.node.defaultChild as never);

  test('the table has the sparse byStatusDue index (KEYS_ONLY, shard + due time)', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: Match.arrayWith([
        {
          IndexName: STATUS_DUE.indexName,
          KeySchema: [
            { AttributeName: STATUS_DUE.shardAttribute, KeyType: 'HASH' },
            { AttributeName: STATUS_DUE.dueAttribute, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ]),
    });
  });

  test('runs every minute, with the wait in both functions', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [sweepFunctionId(), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 60,
      Environment: { Variables: Match.objectLike({ STATUS_UNKNOWN_AFTER_SECONDS: '259200', HISTORY_RETENTION_DAYS: '90' }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STATUS_UNKNOWN_AFTER_SECONDS: '259200', POSTBACK_SECRET_ARN: Match.anyValue() }) },
    });
  });

  test('may query the status index, read and write the table; no EventBridge permission (its events follow from the stream)', () => {
    const sweep = receiver.statusUnknownSweep?.function;
    expect(sweep).toBeDefined();
    const roleId = logicalId(stack, (sweep as NonNullable<typeof sweep>).role as iam.Role);
    const tableArn = { 'Fn::GetAtt': [logicalId(stack, receiver.table), 'Arn'] };
    expect(statementsOf(template, roleId)).toEqual([
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ReceiverStatusUnknownSweepFunctionLogs/), 'Arn'] },
      },
      {
        Sid: 'QueryStatusDueIndex',
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [tableArn, '/index/byStatusDue']] },
      },
      {
        Sid: 'DeclareStatusUnknown',
        Effect: 'Allow',
        Action: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: tableArn,
      },
    ]);
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('StatusUnknownSweep turned off', () => {
  test('statusUnknownAfter 0: no sweep, no schedule, and the ingest function writes no due times', () => {
    const stack = testStack(testApp());
    const receiver = new MmsPostbackReceiver(stack, 'Receiver', { statusUnknownAfter: Duration.seconds(0) });
    const template = templateOf(stack);

    expect(receiver.statusUnknownSweep).toBeUndefined();
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STATUS_UNKNOWN_AFTER_SECONDS: '0', POSTBACK_SECRET_ARN: Match.anyValue() }) },
    });
  });

  test('context statusUnknownAfterHours=0 turns it off; a wait under a minute is refused', () => {
    const app = testApp({ context: { statusUnknownAfterHours: '0' } });
    const off = new MmsPostbacksStack(app, 'Off', { config: readStackContext(app.node) });

    expect(off.receiver.statusUnknownSweep).toBeUndefined();
    expect(() => new MmsPostbackReceiver(testStack(testApp()), 'R', { statusUnknownAfter: Duration.seconds(5) })).toThrow(
      /statusUnknownAfter must be 0 \(off\) or at least one minute/,
    );
  });
});

describe('subscribing to MMS Status Unknown', () => {
  test('onPostback filters on its detail-type or on outcome unknown', () => {
    const stack = testStack(testApp());
    const receiver = new MmsPostbackReceiver(stack, 'Receiver');

    expect(receiver.eventPattern({ detailTypes: ['MMS Status Unknown'] })).toEqual({
      source: ['mms.postbacks'],
      detailType: ['MMS Status Unknown'],
    });
    expect(receiver.eventPattern({ outcome: 'unknown' })).toEqual({ source: ['mms.postbacks'], detail: { outcome: ['unknown'] } });
    receiver.onPostback({ detailTypes: ['MMS Status Unknown'] });
    templateOf(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['mms.postbacks'], 'detail-type': ['MMS Status Unknown'] },
    });
  });
});
