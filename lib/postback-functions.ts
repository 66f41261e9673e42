import { type Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { type Environment, type IngestSettings, ingestEnvironment, queryEnvironment } from '../lambda/config-contract';
import { CLIENT_REFERENCE_INDEX } from '../lambda/table/table-definition';
import { bundledFunction, type HandlerEntry } from './function-bundling';

/**
 * Lambda's advanced logging controls of the ingest function: JSON log lines, and the
 * platform's START/END/REPORT lines (logged at INFO) kept out of the log group: system level
 * WARN still lets errors such as timeouts and crashes through. Application lines are
 * filtered by the function's logger (`POWERTOOLS_LOG_LEVEL`, INFO by default), so no
 * application level is set here. The cost report (`bench/cost.ts`) reads this constant.
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
 */
export const INGEST_LOGGING = {
  loggingFormat: lambda.LoggingFormat.JSON,
  systemLogLevelV2: lambda.SystemLogLevel.WARN,
} as const satisfies Pick<lambda.FunctionProps, 'loggingFormat' | 'systemLogLevelV2'>;

/** Settings shared by the receiver's functions. */
export interface PostbackFunctionSettings {
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly tracing: boolean;
  readonly removalPolicy: RemovalPolicy;
  readonly memorySize: number;
  readonly sourceMaps: boolean;
}

/** One function of the receiver. */
export interface PostbackFunctionOptions extends PostbackFunctionSettings {
  readonly entry: HandlerEntry;
  readonly description: string;
  /** The function's environment, from the configuration contract (`lambda/config-contract.ts`). */
  readonly environment: Environment;
  readonly reservedConcurrency?: number;
  readonly logging?: Pick<lambda.FunctionProps, 'loggingFormat' | 'systemLogLevelV2'>;
  /**
   * Construct ids of the log group and the role, next to the function's.
   *
   * @default - `<id>Logs` and `<id>Role`
   */
  readonly resourceIds?: { readonly logGroup: string; readonly role: string };
  /**
   * Description of the role.
   *
   * @default - `Execution role of the <id> of the MMS postback receiver`
   */
  readonly roleDescription?: string;
}

/**
 * A function of the receiver: Node.js 22 on arm64, an explicit log group `<id>Logs`
 * (retention, removal policy) and a role `<id>Role` without managed policies that may write
 * to that log group only. Grant it what it calls next to setting its environment.
 *
 * @example
 * const fn = createPostbackFunction(this, 'QueryFunction', { ...settings, entry: 'query', description, environment });
 */
export function createPostbackFunction(scope: Construct, id: string, options: PostbackFunctionOptions): lambda.Function {
  const ids = options.resourceIds ?? { logGroup: `${id}Logs`, role: `${id}Role` };
  const logGroup = new logs.LogGroup(scope, ids.logGroup, { retention: options.logRetention, removalPolicy: options.removalPolicy });
  const role = new iam.Role(scope, ids.role, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: options.roleDescription ?? `Execution role of the ${id} of the MMS postback receiver`,
  });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  const fn = bundledFunction(
    scope,
    id,
    {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: options.memorySize,
      reservedConcurrentExecutions: options.reservedConcurrency,
      timeout: options.timeout,
      description: options.description,
      role,
      logGroup,
      tracing: options.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      ...options.logging,
      environment: { ...options.environment, ...(options.sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}) },
    },
    { entry: options.entry, sourceMaps: options.sourceMaps, tracing: options.tracing },
  );
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'Node.js 22 is pinned on purpose: it is the runtime the code is bundled for (esbuild target node22) and tested against; move to a newer runtime deliberately, together with the bundling target.',
  });
  if (options.tracing) {
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions: Resource "*" is required.',
    });
  }
  return fn;
}

/** What the ingest function works on, besides its settings. */
export interface IngestFunctionOptions extends PostbackFunctionSettings {
  readonly table: dynamodb.ITableV2;
  readonly secret: secretsmanager.ISecret;
  /** The ingest settings other than table and secret. */
  readonly settings: Omit<IngestSettings, 'tableName' | 'secret' | 'tracing'>;
  readonly reservedConcurrency?: number;
}

/**
 * The ingest function: its environment from the contract's {@link ingestEnvironment}, and
 * what it calls: PutItem, UpdateItem (also inside TransactWriteItems) on the table,
 * GetSecretValue (and kms:Decrypt through Secrets Manager) on the secret. No EventBridge
 * permission: the publisher function publishes from the table's stream.
 *
 * @example
 * const ingest = createIngestFunction(this, { ...settings, table, secret, settings: { retryAfterSeconds: 5 } });
 */
export function createIngestFunction(scope: Construct, options: IngestFunctionOptions): lambda.Function {
  const environment = ingestEnvironment({
    ...options.settings,
    tableName: options.table.tableName,
    secret: { arn: options.secret.secretArn },
    tracing: options.tracing,
  });
  const fn = createPostbackFunction(scope, 'IngestFunction', {
    ...options,
    entry: 'ingest',
    description: 'MMS postbacks: authenticates, validates and stores POST /postbacks',
    logging: INGEST_LOGGING,
    environment,
  });
  // TransactWriteItems is authorized per contained action (PutItem, UpdateItem):
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'WritePostbacks',
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [options.table.tableArn],
    }),
  );
  const secret = options.secret;
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'ReadSharedSecret',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
    }),
  );
  if (secret.encryptionKey) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DecryptSharedSecret',
        actions: ['kms:Decrypt'],
        resources: [secret.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` } },
      }),
    );
  }
  return fn;
}

/** What the query function reads, besides its settings. */
export interface QueryFunctionOptions extends PostbackFunctionSettings {
  readonly table: dynamodb.ITableV2;
  readonly serviceName: string;
  /** The `Retry-After` of its 503 answers. @default DEFAULTS.retryAfterSeconds */
  readonly retryAfterSeconds?: number;
}

/**
 * The read-only query function: its environment from the contract's {@link queryEnvironment},
 * and what its reader calls: Query (a message's states) and BatchGetItem (the states of a
 * client reference) on the table, Query on the client-reference index.
 *
 * @example
 * const query = createQueryFunction(this, { ...settings, table, serviceName: 'mms-postbacks' });
 */
export function createQueryFunction(scope: Construct, options: QueryFunctionOptions): lambda.Function {
  const fn = createPostbackFunction(scope, 'QueryFunction', {
    ...options,
    entry: 'query',
    description: 'MMS postbacks: read-only GET /messages/{trackingId} and GET /messages?clientReference=',
    environment: queryEnvironment({
      tableName: options.table.tableName,
      serviceName: options.serviceName,
      tracing: options.tracing,
      retryAfterSeconds: options.retryAfterSeconds,
    }),
  });
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'ReadPostbacks',
      actions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
      // Exactly the index the reader queries: an index added later is not readable by default.
      resources: [options.table.tableArn, `${options.table.tableArn}/index/${CLIENT_REFERENCE_INDEX.indexName}`],
    }),
  );
  return fn;
}
