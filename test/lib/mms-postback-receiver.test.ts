import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DETAIL_TYPES } from '../../lambda/domain/catalog';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../lambda/observability';
import { TABLE_DEFINITION } from '../../lambda/table-definition';
import { MmsPostbackReceiver, type MmsPostbackReceiverProps } from '../../lib/mms-postback-receiver';
import { nagFindings, onlyResource, templateOf, testApp, testStack } from './helpers';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
type Json = any;

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as never);

/** The statements of the one IAM policy attached to a role. */
function statementsOf(template: Template, roleLogicalId: string): Json[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy: Json) =>
    (policy.Properties.Roles as Json[]).some((role) => role.Ref === roleLogicalId),
  );
  expect(policies).toHaveLength(1);
  return (policies[0] as Json).Properties.PolicyDocument.Statement;
}

describe('MmsPostbackReceiver with defaults (bundled with esbuild)', () => {
  let stack: Stack;
  let receiver: MmsPostbackReceiver;
  let template: Template;
  let assemblyDir: string;

  beforeAll(() => {
    const app = testApp({ bundle: true });
    stack = testStack(app);
    receiver = new MmsPostbackReceiver(stack, 'Receiver');
    template = templateOf(stack);
    assemblyDir = app.synth().directory;
  });

  test('construct ids are Table, EventBus, IngestFunction, QueryFunction, Api', () => {
    expect(receiver.table.node.id).toBe('Table');
    expect((receiver.eventBus as events.EventBus).node.id).toBe('EventBus');
    expect(receiver.ingestFunction.node.id).toBe('IngestFunction');
    expect(receiver.queryFunction.node.id).toBe('QueryFunction');
    expect(receiver.api.node.id).toBe('Api');
    for (const child of ['Table', 'EventBus', 'IngestFunction', 'QueryFunction', 'Api']) {
      expect(receiver.node.tryFindChild(child)).toBeDefined();
    }
  });

  test('the table is built from TABLE_DEFINITION: on-demand, PITR, TTL, the keys-only client-reference index, retained', () => {
    const { id, resource } = onlyResource(template, 'AWS::DynamoDB::GlobalTable');
    const gsi = TABLE_DEFINITION.globalSecondaryIndexes[0];
    expect(resource.Properties).toEqual(
      expect.objectContaining({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: TABLE_DEFINITION.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: TABLE_DEFINITION.sortKey.name, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: expect.arrayContaining([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'clientReferenceKey', AttributeType: 'S' },
          { AttributeName: 'clientReferenceSortKey', AttributeType: 'S' },
          { AttributeName: 'relayShard', AttributeType: 'S' },
          { AttributeName: 'leaseExpiresAt', AttributeType: 'N' },
        ]),
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        GlobalSecondaryIndexes: [
          {
            IndexName: gsi.indexName,
            KeySchema: [
              { AttributeName: gsi.partitionKey.name, KeyType: 'HASH' },
              { AttributeName: gsi.sortKey.name, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
          {
            IndexName: 'byPublishDue',
            KeySchema: [
              { AttributeName: 'relayShard', KeyType: 'HASH' },
              { AttributeName: 'leaseExpiresAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
          expect.objectContaining({ IndexName: 'byStatusDue' }),
        ],
        Replicas: [expect.objectContaining({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      }),
    );
    expect((resource.Properties.AttributeDefinitions as unknown[]).length).toBe(8); // pk, sk and the keys of the client-reference, relay and status-unknown indexes
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

  test('both functions: NodejsFunction, Node.js 22 on arm64, ESM bundle, explicit log group, no tracing', () => {
    for (const fn of [receiver.ingestFunction, receiver.queryFunction]) {
      const fnId = logicalId(stack, fn);
      const props = template.toJSON().Resources[fnId].Properties;
      expect(props).toEqual(
        expect.objectContaining({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          Timeout: 10,
          MemorySize: 512,
          LoggingConfig: expect.objectContaining({
            LogGroup: { Ref: logicalId(stack, fn.node.scope!.node.findChild(`${fn.node.id}Logs`) as never) },
          }),
        }),
      );
      expect(props.TracingConfig).toBeUndefined();
    }
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    expect(Object.keys(logGroups)).toHaveLength(5); // four functions (ingest, query, relay, status-unknown sweep) + API access log
    for (const group of Object.values(logGroups) as Json[]) {
      expect(group.Properties.RetentionInDays).toBe(30);
      expect(group.DeletionPolicy).toBe('Retain');
    }
  });

  test('function environments follow lambda/config.ts', () => {
    const env = (fn: { node: { defaultChild?: unknown } }) =>
      template.toJSON().Resources[logicalId(stack, fn)].Properties.Environment.Variables;
    const tableRef = { Ref: logicalId(stack, receiver.table) };
    expect(env(receiver.ingestFunction)).toEqual({
      TABLE_NAME: tableRef,
      EVENT_BUS_NAME: { Ref: logicalId(stack, receiver.eventBus as events.EventBus) },
      EVENT_SOURCE: 'mms.postbacks',
      POSTBACK_SECRET_ARN: { Ref: logicalId(stack, receiver.secret as secretsmanager.Secret) },
      HISTORY_RETENTION_DAYS: '90',
      REJECTED_RETENTION_DAYS: '14',
      LEASE_SECONDS: '60',
      RETRY_AFTER_SECONDS: '5',
      STATUS_UNKNOWN_AFTER_SECONDS: '259200',
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_TRACE_ENABLED: 'false',
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(env(receiver.queryFunction)).toEqual({
      TABLE_NAME: tableRef,
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_TRACE_ENABLED: 'false',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  // Both functions bundle the AWS SDK v3 clients and Powertools Tracer (with the X-Ray SDK,
  // about 120 KB); the ingest function measures about 437 KB, the query function about 353 KB
  // (docs/performance.md). These ceilings catch regressions; `npm run bench` measures the figures.
  const BUNDLE_CEILING_BYTES = new Map<unknown, number>();

  test('the bundles are minified ESM with every dependency inside, under their size ceilings', () => {
    const sweep = receiver.statusUnknownSweep?.function as NonNullable<typeof receiver.statusUnknownSweep>['function'];
    // fast-xml-parser (XML postbacks) adds about 70 KB to the ingest and sweep bundles.
    BUNDLE_CEILING_BYTES.set(receiver.ingestFunction, 550_000).set(receiver.queryFunction, 400_000).set(sweep, 550_000);
    for (const fn of [receiver.ingestFunction, receiver.queryFunction, sweep]) {
      const key: string = template.toJSON().Resources[logicalId(stack, fn)].Properties.Code.S3Key;
      const dir = path.join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`);
      const bundle = fs.readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(fs.existsSync(path.join(dir, 'index.mjs.map'))).toBe(true);
      expect(Buffer.byteLength(bundle)).toBeLessThanOrEqual(BUNDLE_CEILING_BYTES.get(fn)!);
      expect(bundle.startsWith('import { createRequire }')).toBe(true);
      expect(bundle).not.toMatch(/from\s*["']@aws-sdk\//); // bundled, not external
    }
  });

  test('ingest role: write and conditionally update the table, read the secret, put events on its own bus; nothing else', () => {
    const roleId = logicalId(stack, receiver.ingestFunction.role as iam.Role);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] }),
      ManagedPolicyArns: Match.absent(),
    });
    expect(statementsOf(template, roleId)).toEqual([
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ReceiverIngestFunctionLogs/), 'Arn'] },
      },
      {
        Sid: 'WritePostbacks',
        Effect: 'Allow',
        Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': [logicalId(stack, receiver.table), 'Arn'] },
      },
      {
        Sid: 'ReadSharedSecret',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: { Ref: logicalId(stack, receiver.secret as secretsmanager.Secret) },
      },
      {
        Sid: 'PublishPostbackEvents',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [logicalId(stack, receiver.eventBus as events.EventBus), 'Arn'] },
        Condition: { StringEquals: { 'events:source': 'mms.postbacks' } },
      },
    ]);
  });

  test('query role: GetItem, BatchGetItem and Query on the table and its index only', () => {
    const roleId = logicalId(stack, receiver.queryFunction.role as iam.Role);
    const tableArn = { 'Fn::GetAtt': [logicalId(stack, receiver.table), 'Arn'] };
    expect(statementsOf(template, roleId)).toEqual([
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ReceiverQueryFunctionLogs/), 'Arn'] },
      },
      {
        Sid: 'ReadPostbacks',
        Effect: 'Allow',
        Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
        Resource: [tableArn, { 'Fn::Join': ['', [tableArn, '/index/byClientReference']] }],
      },
    ]);
  });

  test('no role has a managed policy', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role')) as Json[]) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('routes: POST /postbacks (no API auth) to ingest, GET /messages and /messages/{trackingId} (IAM) to query', () => {
    const resources = template.findResources('AWS::ApiGateway::Resource');
    const pathParts = Object.values(resources).map((r: Json) => r.Properties.PathPart);
    expect(pathParts.sort()).toEqual(['messages', 'postbacks', '{trackingId}']);
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as Json[];
    expect(methods).toHaveLength(3);
    const byRoute = (resourcePart: string, verb: string) => {
      const [resourceId] = Object.entries(resources).find(([, r]: [string, Json]) => r.Properties.PathPart === resourcePart) as [
        string,
        Json,
      ];
      return methods.find((m) => m.Properties.HttpMethod === verb && m.Properties.ResourceId.Ref === resourceId)?.Properties;
    };
    const integrationOf = (fn: { node: { defaultChild?: unknown } }) =>
      expect.objectContaining({
        Type: 'AWS_PROXY',
        IntegrationHttpMethod: 'POST',
        Uri: { 'Fn::Join': ['', expect.arrayContaining([{ 'Fn::GetAtt': [logicalId(stack, fn), 'Arn'] }])] },
      });
    expect(byRoute('postbacks', 'POST')).toEqual(
      expect.objectContaining({ AuthorizationType: 'NONE', Integration: integrationOf(receiver.ingestFunction) }),
    );
    expect(byRoute('messages', 'GET')).toEqual(
      expect.objectContaining({ AuthorizationType: 'AWS_IAM', Integration: integrationOf(receiver.queryFunction) }),
    );
    expect(byRoute('{trackingId}', 'GET')).toEqual(
      expect.objectContaining({ AuthorizationType: 'AWS_IAM', Integration: integrationOf(receiver.queryFunction) }),
    );
    // One invoke permission per method, scoped to that method (no test-invoke permissions).
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')) as Json[];
    expect(permissions.filter((p) => p.Properties.Principal === 'apigateway.amazonaws.com')).toHaveLength(3);
  });

  test('REST API: regional, no resource policy by default, no CloudWatch account role', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
      Policy: Match.absent(),
    });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('the retained table has deletion protection', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })] }),
    });
  });

  test('the ingest function has no reserved concurrency, the table no warm throughput by default', () => {
    expect(template.toJSON().Resources[logicalId(stack, receiver.ingestFunction)].Properties.ReservedConcurrentExecutions).toBeUndefined();
    const { resource } = onlyResource(template, 'AWS::DynamoDB::GlobalTable');
    expect(resource.Properties.WarmThroughput).toBeUndefined();
  });

  test('REST API: JSON and XML bodies reach the function as their bytes (binary media types), so the charset is applied once', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      BinaryMediaTypes: ['application/json', 'application/xml', 'text/xml'],
    });
  });

  test('stage: throttling 5000/5000 (sized for a campaign), JSON access logs to the access log group, execution logging off', () => {
    const { resource } = onlyResource(template, 'AWS::ApiGateway::Stage');
    const props = resource.Properties as Json;
    expect(props.StageName).toBe('prod');
    expect(props.TracingEnabled).toBe(false);
    expect(props.MethodSettings).toEqual([
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        ThrottlingRateLimit: 5000,
        ThrottlingBurstLimit: 5000,
        LoggingLevel: 'OFF',
        DataTraceEnabled: false,
      }),
    ]);
    expect(props.AccessLogSetting.DestinationArn).toEqual({
      'Fn::Join': ['', ['arn:aws:logs:eu-west-1:123456789012:log-group:', { Ref: logicalId(stack, receiver.accessLogGroup) }]],
    });
    const format = JSON.parse(props.AccessLogSetting.Format);
    expect(format.resourcePath).toBe('$context.resourcePath');
    expect(props.AccessLogSetting.Format).not.toMatch(
      /\$context\.path|querystring|requestOverride|\$input|\$method\.request|token|authorization/i,
    );
  });

  test('alarms: API 5xx and 4xx rates, API throttles, errors and throttles of both functions, publish failures, rejected postbacks, DynamoDB throttles; no actions without a topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Json[];
    expect(alarms).toHaveLength(11); // 10 + the relay's (test/lib/postback-relay.test.ts)
    expect(receiver.alarms).toHaveLength(11);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
      if (alarm.Properties.MetricName !== METRIC.oldestUnpublishedAge) expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
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
    for (const fn of [receiver.ingestFunction, receiver.queryFunction]) {
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
    for (const metricName of [METRIC.publishFailed, METRIC.rejected]) {
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
    for (const metricName of Object.values(METRIC).filter((name) => !name.endsWith('ByCode') && !name.endsWith('ByReason'))) {
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
  const busArn = 'arn:aws:events:eu-west-1:123456789012:event-bus/shared';
  const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:provider-token-AbCdEf';
  const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
  const topicArn = 'arn:aws:sns:eu-west-1:123456789012:ops';

  beforeAll(() => {
    stack = testStack();
    receiver = new MmsPostbackReceiver(stack, 'Receiver', {
      secret: secretsmanager.Secret.fromSecretAttributes(stack, 'Secret', {
        secretCompleteArn: secretArn,
        encryptionKey: kms.Key.fromKeyArn(stack, 'Key', keyArn),
      }),
      allowedSourceCidrs: ['203.0.113.0/24', '2001:db8::/32'],
      throttlingRateLimit: 10,
      throttlingBurstLimit: 20,
      historyRetentionDays: 30,
      rejectedRetentionDays: 7,
      eventSource: 'acme.mms',
      eventBus: events.EventBus.fromEventBusArn(stack, 'Bus', busArn),
      alarmTopic: sns.Topic.fromTopicArn(stack, 'Topic', topicArn),
      tracing: true,
      removalPolicy: RemovalPolicy.DESTROY,
      functionTimeout: Duration.seconds(20),
      leaseSeconds: 120,
      retryAfterSeconds: 9,
      memorySize: 1024,
      stageName: 'live',
      serviceName: 'acme-mms',
      schemaRegistryName: 'acme-mms',
      apiGatewayCloudWatchRole: true,
      reservedConcurrency: 200,
      warmThroughput: { writeUnitsPerSecond: 12_000, readUnitsPerSecond: 15_000 },
    });
    template = templateOf(stack);
  });

  test('uses the given bus: no bus, no archive; PutEvents on that bus with the configured source', () => {
    template.resourceCountIs('AWS::Events::EventBus', 0);
    template.resourceCountIs('AWS::Events::Archive', 0);
    expect(receiver.archive).toBeUndefined();
    const statements = statementsOf(template, logicalId(stack, receiver.ingestFunction.role as iam.Role));
    expect(statements).toContainEqual({
      Sid: 'PublishPostbackEvents',
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Resource: busArn,
      Condition: { StringEquals: { 'events:source': 'acme.mms' } },
    });
  });

  test('uses the given secret; grants GetSecretValue on it and kms:Decrypt through Secrets Manager only', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const statements = statementsOf(template, logicalId(stack, receiver.ingestFunction.role as iam.Role));
    expect(statements).toContainEqual({
      Sid: 'ReadSharedSecret',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: secretArn,
    });
    expect(statements).toContainEqual({
      Sid: 'DecryptSharedSecret',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: keyArn,
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
    });
  });

  test('the environment carries every option', () => {
    const env = template.toJSON().Resources[logicalId(stack, receiver.ingestFunction)].Properties.Environment.Variables;
    expect(env).toEqual(
      expect.objectContaining({
        // A given bus may be in another account: the function names it by ARN.
        EVENT_BUS_NAME: busArn,
        EVENT_SOURCE: 'acme.mms',
        POSTBACK_SECRET_ARN: secretArn,
        HISTORY_RETENTION_DAYS: '30',
        REJECTED_RETENTION_DAYS: '7',
        LEASE_SECONDS: '120',
        RETRY_AFTER_SECONDS: '9',
        POWERTOOLS_SERVICE_NAME: 'acme-mms',
      }),
    );
  });

  test('resource policy: POST /postbacks only from the CIDRs; GET routes left to IAM', () => {
    const { resource } = onlyResource(template, 'AWS::ApiGateway::RestApi');
    expect((resource.Properties as Json).Policy.Statement).toEqual([
      {
        Sid: 'AllowPostbacksFromProvider',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*/POST/postbacks',
        Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } },
      },
      {
        Sid: 'DenyPostbacksFromOtherSources',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*/POST/postbacks',
        Condition: { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } },
      },
    ]);
  });

  test('tracing on functions and stage; throttling and stage name from props', () => {
    for (const fn of [receiver.ingestFunction, receiver.queryFunction]) {
      const props = template.toJSON().Resources[logicalId(stack, fn)].Properties;
      expect(props.TracingConfig).toEqual({ Mode: 'Active' });
      expect(props.Environment.Variables.POWERTOOLS_TRACE_ENABLED).toBe('true');
      expect(props.Timeout).toBe(20);
      expect(props.MemorySize).toBe(1024);
    }
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'live',
      TracingEnabled: true,
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 })],
    });
  });

  test('alarms notify the topic on ALARM and OK; custom metrics use the service name', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Json[];
    expect(alarms).toHaveLength(11);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topicArn]);
      expect(alarm.Properties.OKActions).toEqual([topicArn]);
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: METRIC.publishFailed,
      Dimensions: [{ Name: 'service', Value: 'acme-mms' }],
    });
    expect(receiver.alarmTopic?.topicArn).toBe(topicArn);
  });

  test('apiGatewayCloudWatchRole: the account CloudWatch Logs role and setting, both retained, before the stage', () => {
    const { id: accountId, resource: account } = onlyResource(template, 'AWS::ApiGateway::Account');
    const roleRef = (account.Properties.CloudWatchRoleArn as Json)['Fn::GetAtt'];
    expect(roleRef[1]).toBe('Arn');
    const role = template.toJSON().Resources[roleRef[0]];
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'apigateway.amazonaws.com' });
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain(
      ':iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
    );
    expect(role.DeletionPolicy).toBe('Retain');
    template.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    // The stage's access logging needs the setting: the stage waits for it.
    const { resource: stage } = onlyResource(template, 'AWS::ApiGateway::Stage');
    expect((stage as Json).DependsOn).toContain(accountId);
  });

  test('reserved concurrency on the ingest function only; warm throughput on the table and every index', () => {
    expect(template.toJSON().Resources[logicalId(stack, receiver.ingestFunction)].Properties.ReservedConcurrentExecutions).toBe(200);
    expect(template.toJSON().Resources[logicalId(stack, receiver.queryFunction)].Properties.ReservedConcurrentExecutions).toBeUndefined();
    const { resource } = onlyResource(template, 'AWS::DynamoDB::GlobalTable');
    const warm = { WriteUnitsPerSecond: 12_000, ReadUnitsPerSecond: 15_000 };
    expect(resource.Properties.WarmThroughput).toEqual(warm);
    const indexes = resource.Properties.GlobalSecondaryIndexes as Json[];
    expect(indexes).toHaveLength(TABLE_DEFINITION.globalSecondaryIndexes.length);
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

  test('sourceMaps: false drops --enable-source-maps', () => {
    const stack = testStack();
    const receiver = new MmsPostbackReceiver(stack, 'Receiver', { sourceMaps: false });
    const env = templateOf(stack).toJSON().Resources[logicalId(stack, receiver.ingestFunction)].Properties.Environment.Variables;
    expect(env.NODE_OPTIONS).toBeUndefined();
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

  test('an empty filter matches every event of the receiver source', () => {
    expect(receiver.eventPattern({})).toEqual({ source: ['mms.postbacks'] });
    expect(receiver.eventPattern({ outcome: ['success', 'pending'] })).toEqual({
      source: ['mms.postbacks'],
      detail: { outcome: ['success', 'pending'] },
    });
  });

  test('refuses unknown detail-types, outcomes and malformed codes, and empty lists', () => {
    expect(() => receiver.onPostback({ detailTypes: ['MMS Lost' as never] })).toThrow(/unknown detail-types "MMS Lost"/);
    expect(() => receiver.onPostback({ outcome: 'maybe' as never })).toThrow(/unknown outcome maybe/);
    expect(() => receiver.onPostback({ codes: ['X999'] })).toThrow(/codes must look like/);
    expect(() => receiver.onPostback({ codes: [] })).toThrow(/must not be empty/);
    expect(() => receiver.onPostback({ detailTypes: [] })).toThrow(/must not be empty/);
  });
});

describe('MmsPostbackReceiver refuses invalid or conflicting props', () => {
  const make = (props: (stack: Stack) => MmsPostbackReceiverProps) => () => {
    const stack = testStack();
    new MmsPostbackReceiver(stack, 'Receiver', props(stack));
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
    ['leaseSeconds equal to the timeout', () => ({ leaseSeconds: 10 }), /leaseSeconds \(10\) must exceed the function timeout \(10 s\)/],
    [
      'leaseSeconds below the timeout',
      () => ({ functionTimeout: Duration.seconds(20), leaseSeconds: 15 }),
      /must exceed the function timeout/,
    ],
    ['timeout above API Gateway 29 s', () => ({ functionTimeout: Duration.seconds(30), leaseSeconds: 300 }), /at most 29 seconds/],
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
