import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MmsPostbacksStack } from '../../lib/mms-postbacks-stack';
import { readStackContext } from '../../lib/stack-context';
import { nagFindings, templateOf, testApp, testStack } from './helpers';

const ENV = { account: '123456789012', region: 'eu-west-1' };

/** The stack configured from a context, as `bin/app.ts` builds it, and its template. */
function stackFromContext(context: Record<string, unknown>): { stack: MmsPostbacksStack; template: Template } {
  const app = testApp({ context });
  const stack = new MmsPostbacksStack(app, 'S', { env: ENV, config: readStackContext(app.node) });
  return { stack, template: templateOf(stack) };
}

describe('MmsPostbacksStack with defaults', () => {
  let stack: MmsPostbacksStack;
  let template: Template;

  beforeAll(() => {
    const app = testApp();
    stack = new MmsPostbacksStack(app, 'MmsPostbacksStack', { env: ENV, config: readStackContext(app.node) });
    template = templateOf(stack);
  });

  test('outputs: postback URL, query URL, bus name and ARN, table name, secret ARN, schema registry', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(
      ['EventBusArn', 'EventBusName', 'PostbackUrl', 'QueryUrl', 'SchemaRegistryName', 'SecretArn', 'TableName'].sort(),
    );
    const url = (output: string) => JSON.stringify(outputs[output]?.Value);
    expect(url('PostbackUrl')).toMatch(/\/postbacks"\]\]\}$/);
    expect(url('PostbackUrl')).toContain('.execute-api.eu-west-1.');
    expect(url('QueryUrl')).toMatch(/\/messages"\]\]\}$/);
    template.hasOutput('TableName', { Value: { Ref: Match.stringLikeRegexp('^ReceiverTable') } });
    template.hasOutput('SecretArn', { Value: { Ref: Match.stringLikeRegexp('^ReceiverSecret') } });
    template.hasOutput('EventBusName', { Value: { Ref: Match.stringLikeRegexp('^ReceiverEventBus') } });
    template.hasOutput('EventBusArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReceiverEventBus'), 'Arn'] } });
  });

  test('no alarm topic unless configured', () => {
    template.resourceCountIs('AWS::SNS::Topic', 0);
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('MmsPostbacksStack configured from context', () => {
  test('alarmEmail creates an SSL-only topic with an e-mail subscription that every alarm notifies', () => {
    const app = testApp({
      context: { alarmEmail: 'ops@example.com', allowedSourceCidrs: '203.0.113.0/24, 198.51.100.0/24', tracing: 'true' },
    });
    const stack = new MmsPostbacksStack(app, 'S', { env: ENV, config: readStackContext(app.node) });
    const template = templateOf(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmTopic/) }]);
    }
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Policy: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.0/24'] } } }),
        ]),
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
    expect(nagFindings(stack)).toEqual([]);
  });

  test('existing secret, bus and topic from ARNs: nothing of them is created', () => {
    const app = testApp({
      context: {
        secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-AbCdEf',
        eventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/shared',
        alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops',
        removalPolicy: 'destroy',
        historyRetentionDays: '30',
      },
    });
    const stack = new MmsPostbacksStack(app, 'S', { env: ENV, config: readStackContext(app.node) });
    const template = templateOf(stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.resourceCountIs('AWS::Events::EventBus', 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.hasOutput('SecretArn', { Value: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-AbCdEf' });
    template.hasOutput('EventBusName', { Value: 'shared' });
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HISTORY_RETENTION_DAYS: '30' }) },
    });
    expect(nagFindings(stack)).toEqual([]);
  });

  test('apiGatewayCloudWatchRole=true adds the API Gateway account CloudWatch role; campaign settings reach the resources', () => {
    const { stack, template } = stackFromContext({
      apiGatewayCloudWatchRole: 'true',
      reservedConcurrency: '300',
      warmWriteUnitsPerSecond: '12000',
      throttlingRateLimit: '3000',
      throttlingBurstLimit: '4000',
    });
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 300 });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { WarmThroughput: { WriteUnitsPerSecond: 12000 } });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 3000, ThrottlingBurstLimit: 4000 })],
    });
    expect(nagFindings(stack)).toEqual([]);
  });

  test('with eventBusArn, the function publishes to the bus by its ARN (it may be in another account)', () => {
    const busArn = 'arn:aws:events:eu-west-1:210987654321:event-bus/central';
    const { template } = stackFromContext({ eventBusArn: busArn });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: busArn }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Sid: 'PublishPostbackEvents', Action: 'events:PutEvents', Resource: busArn })]),
      },
    });
  });

  test.each([
    [
      { eventBusArn: 'arn:aws:events:eu-west-1:1:event-bus/b', archiveRetentionDays: 3 },
      /CDK context "archiveRetentionDays": applies to a new event bus only/,
    ],
  ])('conflicting context %o is refused', (context, message) => {
    const app = testApp({ context });
    expect(() => new MmsPostbacksStack(app, 'S', { env: ENV, config: readStackContext(app.node) })).toThrow(message);
  });
});

describe('nagFindings (test helper) sees real findings', () => {
  test('an unprotected topic is reported', () => {
    const stack = testStack();
    new sns.Topic(stack, 'Open');
    expect(nagFindings(stack)).toEqual(expect.arrayContaining([expect.stringMatching(/^AwsSolutions-SNS3 @ TestStack\/Open/)]));
  });
});
