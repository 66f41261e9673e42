import type { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ingestEnvironment, publisherEnvironment, queryEnvironment, sweepEnvironment } from '../../lambda/config-contract';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../lambda/observability';
import { MmsPostbackReceiver } from '../../lib/mms-postback-receiver';
import {
  defaultReceiver,
  EVERY_OPTION,
  everyOptionReceiver,
  logicalId,
  onlyResource,
  statementsOf,
  templateOf,
  testStack,
} from './helpers';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
type Json = any;

const { busArn, secretArn, keyArn } = EVERY_OPTION;

const environmentOf = (stack: Stack, template: Template, fn: { node: { defaultChild?: unknown } }): Record<string, unknown> =>
  template.toJSON().Resources[logicalId(stack, fn)].Properties.Environment.Variables;

describe('the functions with defaults', () => {
  let stack: Stack;
  let receiver: MmsPostbackReceiver;
  let template: Template;

  beforeAll(() => {
    ({ stack, receiver, template } = defaultReceiver());
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
    expect(Object.keys(logGroups)).toHaveLength(5); // four functions (ingest, query, publisher, status-unknown sweep) + API access log
    for (const group of Object.values(logGroups) as Json[]) {
      expect(group.Properties.RetentionInDays).toBe(30);
      expect(group.DeletionPolicy).toBe('Retain');
    }
  });

  test('function environments follow lambda/config.ts', () => {
    const env = (fn: { node: { defaultChild?: unknown } }) => environmentOf(stack, template, fn);
    const tableRef = { Ref: logicalId(stack, receiver.table) };
    expect(env(receiver.ingestFunction)).toEqual({
      TABLE_NAME: tableRef,
      POSTBACK_SECRET_ARN: { Ref: logicalId(stack, receiver.secret as secretsmanager.Secret) },
      HISTORY_RETENTION_DAYS: '90',
      REJECTED_RETENTION_DAYS: '14',
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
      RETRY_AFTER_SECONDS: '5',
      NODE_OPTIONS: '--enable-source-maps',
    });
    const busRef = { Ref: logicalId(stack, receiver.eventBus as events.EventBus) };
    expect(env(receiver.publisherFunction)).toEqual({
      EVENT_BUS_NAME: busRef,
      EVENT_SOURCE: 'mms.postbacks',
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_TRACE_ENABLED: 'false',
      NODE_OPTIONS: '--enable-source-maps',
    });
    const sweep = receiver.statusUnknownSweep?.function;
    expect(sweep).toBeDefined();
    expect(env(sweep as NonNullable<typeof sweep>)).toEqual({
      TABLE_NAME: tableRef,
      HISTORY_RETENTION_DAYS: '90',
      STATUS_UNKNOWN_AFTER_SECONDS: '259200',
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_TRACE_ENABLED: 'false',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  // The bench and the local run build their environments with the same builders: the
  // construct must too, or a setting added to the contract would miss the deployment.
  test('each environment is exactly what the configuration contract builds for the same settings', () => {
    const table = receiver.table.tableName;
    const bus = receiver.eventBus.eventBusName;
    const sourceMaps = { NODE_OPTIONS: '--enable-source-maps' };
    expect(environmentOf(stack, template, receiver.ingestFunction)).toEqual(
      stack.resolve({
        ...ingestEnvironment({ tableName: table, secret: { arn: receiver.secret.secretArn }, tracing: false }),
        ...sourceMaps,
      }),
    );
    expect(environmentOf(stack, template, receiver.queryFunction)).toEqual(
      stack.resolve({ ...queryEnvironment({ tableName: table, tracing: false }), ...sourceMaps }),
    );
    expect(environmentOf(stack, template, receiver.publisherFunction)).toEqual(
      stack.resolve({ ...publisherEnvironment({ eventBusName: bus, tracing: false }), ...sourceMaps }),
    );
    const sweep = receiver.statusUnknownSweep?.function;
    expect(sweep).toBeDefined();
    expect(environmentOf(stack, template, sweep as NonNullable<typeof sweep>)).toEqual(
      stack.resolve({
        ...sweepEnvironment({ tableName: table, statusUnknownAfterSeconds: 72 * 3600, tracing: false }),
        ...sourceMaps,
      }),
    );
  });

  test('ingest role: write and conditionally update the table, read the secret; no EventBridge permission; nothing else', () => {
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
    ]);
    expect(JSON.stringify(statementsOf(template, roleId))).not.toContain('events:');
  });

  test("only the publisher role may put events: on its own bus, with the receiver's Source", () => {
    const withPutEvents = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([, policy]) => JSON.stringify(policy).includes('events:PutEvents'))
      .map(([, policy]) => (policy as Json).Properties.Roles);
    expect(withPutEvents).toEqual([[{ Ref: logicalId(stack, receiver.publisherFunction.role as iam.Role) }]]);
    expect(statementsOf(template, logicalId(stack, receiver.publisherFunction.role as iam.Role))).toContainEqual({
      Sid: 'PublishPostbackEvents',
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': [logicalId(stack, receiver.eventBus as events.EventBus), 'Arn'] },
      Condition: { StringEquals: { 'events:source': 'mms.postbacks' } },
    });
  });

  test('query role: BatchGetItem and Query on the table and Query on its client-reference index, what the reader calls; no GetItem', () => {
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
        Action: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
        Resource: [tableArn, { 'Fn::Join': ['', [tableArn, '/index/byClientReference']] }],
      },
    ]);
  });

  test('the ingest function has no reserved concurrency, the table no warm throughput by default', () => {
    expect(template.toJSON().Resources[logicalId(stack, receiver.ingestFunction)].Properties.ReservedConcurrentExecutions).toBeUndefined();
    const { resource } = onlyResource(template, 'AWS::DynamoDB::GlobalTable');
    expect(resource.Properties.WarmThroughput).toBeUndefined();
  });

  test('sourceMaps: false drops --enable-source-maps', () => {
    const stack = testStack();
    const receiver = new MmsPostbackReceiver(stack, 'Receiver', { sourceMaps: false });
    const env = templateOf(stack).toJSON().Resources[logicalId(stack, receiver.ingestFunction)].Properties.Environment.Variables;
    expect(env.NODE_OPTIONS).toBeUndefined();
  });
});

describe('the functions with every option', () => {
  let stack: Stack;
  let receiver: MmsPostbackReceiver;
  let template: Template;

  beforeAll(() => {
    ({ stack, receiver, template } = everyOptionReceiver());
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
        POSTBACK_SECRET_ARN: secretArn,
        HISTORY_RETENTION_DAYS: '30',
        REJECTED_RETENTION_DAYS: '7',
        RETRY_AFTER_SECONDS: '9',
        POWERTOOLS_SERVICE_NAME: 'acme-mms',
      }),
    );
    expect(environmentOf(stack, template, receiver.publisherFunction)).toEqual(
      expect.objectContaining({ EVENT_SOURCE: 'acme.mms', POWERTOOLS_SERVICE_NAME: 'acme-mms' }),
    );
  });

  test('a given bus (maybe of another account) is named by its ARN in the publisher, the one function that publishes', () => {
    expect(environmentOf(stack, template, receiver.publisherFunction).EVENT_BUS_NAME).toBe(busArn);
    for (const fn of [receiver.ingestFunction, receiver.statusUnknownSweep?.function]) {
      expect(environmentOf(stack, template, fn as NonNullable<typeof fn>)).not.toHaveProperty('EVENT_BUS_NAME');
    }
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
});

describe('the query role with an index added to the table definition', () => {
  // An index added later (another reader's, or a writer's) must be granted
  // deliberately: the query role reads exactly the client-reference index.
  test('is not granted the added index', () => {
    jest.isolateModules(() => {
      jest.doMock('../../lambda/table/table-definition', () => {
        const actual = jest.requireActual('../../lambda/table/table-definition');
        const added = { ...actual.CLIENT_REFERENCE_INDEX, indexName: 'byAddedLater' };
        return {
          ...actual,
          TABLE_DEFINITION: {
            ...actual.TABLE_DEFINITION,
            globalSecondaryIndexes: [...actual.TABLE_DEFINITION.globalSecondaryIndexes, added],
          },
        };
      });
      const { MmsPostbackReceiver: Receiver } =
        require('../../lib/mms-postback-receiver') as typeof import('../../lib/mms-postback-receiver');
      const { testApp: app } = require('./helpers') as typeof import('./helpers');
      const { Stack: IsolatedStack } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
      const { Template } = require('aws-cdk-lib/assertions') as typeof import('aws-cdk-lib/assertions');
      const stack = new IsolatedStack(app(), 'TestStack', { env: { account: '123456789012', region: 'eu-west-1' } });
      const receiver = new Receiver(stack, 'Receiver');
      const template = Template.fromStack(stack);
      const indexes =
        template.toJSON().Resources[stack.getLogicalId(receiver.table.node.defaultChild as never)].Properties.GlobalSecondaryIndexes;
      expect(indexes.map((gsi: { IndexName: string }) => gsi.IndexName)).toContain('byAddedLater');
      const roleId = stack.getLogicalId((receiver.queryFunction.role as iam.Role).node.defaultChild as never);
      const read = statementsOf(template, roleId).find((statement: { Sid?: string }) => statement.Sid === 'ReadPostbacks');
      expect(JSON.stringify(read)).not.toContain('byAddedLater');
      expect(JSON.stringify(read)).toContain('/index/byClientReference');
    });
  });
});
