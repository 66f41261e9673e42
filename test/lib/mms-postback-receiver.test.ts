import type { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DETAIL_TYPES } from '../../lambda/domain/catalog';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../lambda/observability';
import { MmsPostbackReceiver } from '../../lib/mms-postback-receiver';
import {
  defaultReceiver,
  EVERY_OPTION,
  everyOptionReceiver,
  logicalId,
  nagFindings,
  onlyResource,
  statementsOf,
  templateOf,
  testStack,
} from './helpers';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
type Json = any;

const { busArn, topicArn } = EVERY_OPTION;

describe('MmsPostbackReceiver with defaults', () => {
  let stack: Stack;
  let receiver: MmsPostbackReceiver;
  let template: Template;

  beforeAll(() => {
    ({ stack, receiver, template } = defaultReceiver());
  });

  test('construct paths, and so logical ids, stay: Table, EventBus, Secret, IngestFunction, QueryFunction, Api directly under the receiver', () => {
    const paths = [
      receiver.table,
      receiver.eventBus as events.EventBus,
      receiver.secret as secretsmanager.Secret,
      receiver.ingestFunction,
      receiver.queryFunction,
      receiver.publisherFunction,
      receiver.api,
    ].map((construct) => construct.node.path);
    expect(paths).toEqual(
      ['Table', 'EventBus', 'Secret', 'IngestFunction', 'QueryFunction', 'PublisherFunction', 'Api'].map(
        (id) => `TestStack/Receiver/${id}`,
      ),
    );
    expect(logicalId(stack, receiver.table)).toMatch(/^ReceiverTable[0-9A-F]{8}$/);
    expect(logicalId(stack, receiver.ingestFunction)).toMatch(/^ReceiverIngestFunction[0-9A-F]{8}$/);
    expect(logicalId(stack, receiver.api)).toMatch(/^ReceiverApi[0-9A-F]{8}$/);
  });

  test('the table as deployed: on-demand, PITR, TTL, a NEW_IMAGE stream, the keys-only indexes (no byPublishDue), retained', () => {
    // Literals, not TABLE_DEFINITION's values: a deployed table keeps its key schema, and a
    // renamed index or index key attribute replaces that index on the next deploy
    // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.OnlineOps.html).
    const { id, resource } = onlyResource(template, 'AWS::DynamoDB::GlobalTable');
    expect(resource.Properties).toEqual(
      expect.objectContaining({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: expect.arrayContaining([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'clientReferenceKey', AttributeType: 'S' },
          { AttributeName: 'clientReferenceSortKey', AttributeType: 'S' },
          { AttributeName: 'statusDueShard', AttributeType: 'S' },
          { AttributeName: 'statusDueAt', AttributeType: 'N' },
        ]),
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        GlobalSecondaryIndexes: [
          expect.objectContaining({
            IndexName: 'byClientReference',
            KeySchema: [
              { AttributeName: 'clientReferenceKey', KeyType: 'HASH' },
              { AttributeName: 'clientReferenceSortKey', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          }),
          expect.objectContaining({
            IndexName: 'byStatusDue',
            KeySchema: [
              { AttributeName: 'statusDueShard', KeyType: 'HASH' },
              { AttributeName: 'statusDueAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          }),
        ],
        Replicas: [expect.objectContaining({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      }),
    );
    expect((resource.Properties.AttributeDefinitions as unknown[]).length).toBe(6); // pk, sk and the keys of the client-reference and status-unknown indexes
    expect(JSON.stringify(template.toJSON())).not.toMatch(/byPublishDue|relayShard|leaseExpiresAt/);
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(id).toMatch(/^ReceiverTable/);
  });

  test('a custom event bus with a 30-day archive of the receiver events', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    const busId = logicalId(stack, receiver.eventBus as events.EventBus);
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      RetentionDays: 30,
      EventPattern: { source: ['mms.postbacks'] },
    });
    expect(receiver.archive).toBeDefined();
  });

  test('a new secret with a generated alphanumeric value, retained', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: {
        GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('no role has a managed policy', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role')) as Json[]) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('the retained table has deletion protection', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })] }),
    });
  });

  test("alarms: API 5xx and 4xx rates, API throttles, errors and throttles of the three functions, the publisher's on-failure queue and lag, rejected postbacks, DynamoDB throttles; no actions without a topic", () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Json[];
    expect(alarms).toHaveLength(13); // the publisher's two: test/lib/postback-publisher.test.ts
    expect(receiver.alarms).toHaveLength(13);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Statistic: 'Average',
      Threshold: 0.05,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Dimensions: Match.arrayWith([Match.objectLike({ Name: 'Stage', Value: { Ref: logicalId(stack, receiver.apiStage) } })]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '4XXError',
      Statistic: 'Average',
      Threshold: 0.05,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
    });
    // Throttled requests, counted from the access log by a metric filter, per API.
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: logicalId(stack, receiver.accessLogGroup) },
      FilterPattern: '{ ($.errorType = "THROTTLED") || ($.errorType = "QUOTA_EXCEEDED") }',
      MetricTransformations: [
        {
          MetricNamespace: METRICS_NAMESPACE,
          MetricName: 'ApiThrottled',
          MetricValue: '1',
          Unit: 'Count',
          Dimensions: [{ Key: 'apiId', Value: '$.apiId' }],
        },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRICS_NAMESPACE,
      MetricName: 'ApiThrottled',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'apiId', Value: { Ref: logicalId(stack, receiver.api) } }],
    });
    for (const fn of [receiver.ingestFunction, receiver.queryFunction, receiver.publisherFunction]) {
      for (const metricName of ['Errors', 'Throttles']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: metricName,
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack, fn) } }],
        });
      }
    }
    for (const metricName of [METRIC.rejected]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: METRICS_NAMESPACE,
        MetricName: metricName,
        Statistic: 'Sum',
        Threshold: 1,
        Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
      });
    }
    // DynamoDB throttles: one sparse series per operation, each FILLed with 0, so that a
    // throttle of a single operation gives the sum a datapoint.
    const throttleAlarm = alarms.find((alarm) => alarm.Properties.Metrics !== undefined);
    const queries = throttleAlarm.Properties.Metrics as Json[];
    const inputs = queries.filter((q) => q.MetricStat);
    expect(inputs.map((q) => q.MetricStat.Metric.Dimensions.find((d: Json) => d.Name === 'Operation').Value).sort()).toEqual([
      'BatchWriteItem',
      'DeleteItem',
      'GetItem',
      'PutItem',
      'Query',
      'TransactWriteItems',
      'UpdateItem',
    ]);
    for (const input of inputs) {
      expect(input.MetricStat.Metric).toMatchObject({ Namespace: 'AWS/DynamoDB', MetricName: 'ThrottledRequests' });
      expect(input.ReturnData).toBe(false);
    }
    const [expression] = queries.filter((q) => q.Expression);
    expect(expression.Expression.split(' + ').sort()).toEqual(inputs.map((q) => `FILL(${q.Id}, 0)`).sort());
  });

  test('a dashboard', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(onlyResource(template, 'AWS::CloudWatch::Dashboard').resource.Properties.DashboardBody);
    for (const metricName of Object.values(METRIC)) {
      expect(body).toContain(metricName);
    }
  });

  test('a schema registry with one JSONSchemaDraft4 schema per detail-type', () => {
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    template.resourceCountIs('AWS::EventSchemas::Schema', DETAIL_TYPES.length);
    template.hasResourceProperties('AWS::EventSchemas::Schema', {
      SchemaName: 'mms.postbacks@MMSDelivered',
      Type: 'JSONSchemaDraft4',
      RegistryName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReceiverSchemasRegistry'), 'RegistryName'] },
    });
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('MmsPostbackReceiver with every option', () => {
  let stack: Stack;
  let receiver: MmsPostbackReceiver;
  let template: Template;

  beforeAll(() => {
    ({ stack, receiver, template } = everyOptionReceiver());
  });

  test('uses the given bus: no bus, no archive; PutEvents on that bus with the configured source', () => {
    template.resourceCountIs('AWS::Events::EventBus', 0);
    template.resourceCountIs('AWS::Events::Archive', 0);
    expect(receiver.archive).toBeUndefined();
    const statements = statementsOf(template, logicalId(stack, receiver.publisherFunction.role as iam.Role));
    expect(statements).toContainEqual({
      Sid: 'PublishPostbackEvents',
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Resource: busArn,
      Condition: { StringEquals: { 'events:source': 'acme.mms' } },
    });
  });

  test('alarms notify the topic on ALARM and OK; custom metrics use the service name', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Json[];
    expect(alarms).toHaveLength(13);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topicArn]);
      expect(alarm.Properties.OKActions).toEqual([topicArn]);
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: METRIC.rejected,
      Dimensions: [{ Name: 'service', Value: 'acme-mms' }],
    });
    expect(receiver.alarmTopic?.topicArn).toBe(topicArn);
  });

  test('reserved concurrency on the ingest function only; warm throughput on the table and every index', () => {
    expect(template.toJSON().Resources[logicalId(stack, receiver.ingestFunction)].Properties.ReservedConcurrentExecutions).toBe(200);
    expect(template.toJSON().Resources[logicalId(stack, receiver.queryFunction)].Properties.ReservedConcurrentExecutions).toBeUndefined();
    const { resource } = onlyResource(template, 'AWS::DynamoDB::GlobalTable');
    const warm = { WriteUnitsPerSecond: 12_000, ReadUnitsPerSecond: 15_000 };
    expect(resource.Properties.WarmThroughput).toEqual(warm);
    const indexes = resource.Properties.GlobalSecondaryIndexes as Json[];
    expect(indexes).toHaveLength(2);
    for (const index of indexes) expect(index.WarmThroughput).toEqual(warm);
  });

  test('removal policy DESTROY on the table and the log groups; no deletion protection then', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
    const { resource } = onlyResource(template, 'AWS::DynamoDB::GlobalTable');
    for (const replica of resource.Properties.Replicas as Json[]) expect(replica.DeletionProtectionEnabled).toBeFalsy();
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup')) as Json[]) {
      expect(group.DeletionPolicy).toBe('Delete');
    }
  });

  test('schemas use the configured source and registry name', () => {
    template.hasResourceProperties('AWS::EventSchemas::Registry', { RegistryName: 'acme-mms' });
    template.hasResourceProperties('AWS::EventSchemas::Schema', { SchemaName: 'acme.mms@MMSDelivered' });
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding (X-Ray wildcard acknowledged)', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('MmsPostbackReceiver with a new named bus, archive kept indefinitely, a named secret', () => {
  test('bus name, archive without retention limit, secret name', () => {
    const stack = testStack();
    new MmsPostbackReceiver(stack, 'Receiver', { eventBusName: 'postbacks', archiveRetentionDays: 0, secretName: 'mms/postback-token' });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'postbacks' });
    template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 0 }); // 0 = indefinitely
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'mms/postback-token' });
  });
});

describe('MmsPostbackReceiver.onPostback', () => {
  let stack: Stack;
  let receiver: MmsPostbackReceiver;

  beforeEach(() => {
    stack = testStack();
    receiver = new MmsPostbackReceiver(stack, 'Receiver');
  });

  test('detail-types, outcome and codes become an event pattern on the receiver bus; the rule is returned', () => {
    const rule = receiver.onPostback({ detailTypes: ['MMS Delivered', 'MMS Delivered As SMS'] }, undefined);
    const rule2 = receiver.onPostback({ outcome: 'failure', codes: ['E101', 'E102'] }, undefined, { id: 'Failures' });
    const template = templateOf(stack);
    expect(rule).toBeInstanceOf(events.Rule);
    expect(rule.node.id).toBe('OnPostback');
    expect(rule2.node.id).toBe('Failures');
    const busRef = { Ref: logicalId(stack, receiver.eventBus as events.EventBus) };
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: busRef,
      EventPattern: { source: ['mms.postbacks'], 'detail-type': ['MMS Delivered', 'MMS Delivered As SMS'] },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: busRef,
      EventPattern: { source: ['mms.postbacks'], detail: { outcome: ['failure'], code: ['E101', 'E102'] } },
    });
  });

  test('an invalid filter is refused before any rule is added', () => {
    expect(() => receiver.onPostback({ outcome: 'maybe' as never })).toThrow(/unknown outcome maybe/);
    expect(receiver.node.tryFindChild('OnPostback')).toBeUndefined();
  });
});
