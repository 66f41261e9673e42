import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { TABLE_DEFINITION } from '../lambda/table/table-definition';
import { describePostbackFilter, type OnPostbackOptions, type PostbackFilter, postbackEventPattern } from './postback-event-pattern';
import { PostbackEventSchemas } from './postback-event-schemas';
import { createIngestFunction, createPostbackFunction, createQueryFunction } from './postback-functions';
import { PostbackHttpApi } from './postback-http-api';
import { PostbackMonitoring } from './postback-monitoring';
import { PostbackPublisher, PUBLISHER_TIMEOUT } from './postback-publisher';
import { PostbackRestApi } from './postback-rest-api';
import { addReceiverOutputs } from './receiver-outputs';
import { type MmsPostbackReceiverProps, RECEIVER_DEFAULTS } from './receiver-props';
import { validateReceiverProps } from './receiver-props-validation';
import { STATUS_UNKNOWN_SWEEP_TIMEOUT, StatusUnknownSweep } from './status-unknown-sweep';

// The receiver's public API, defined in the files of its parts.
export { BUNDLING, BUNDLING_WITHOUT_TRACER } from './function-bundling';
export { type OnPostbackOptions, OUTCOMES, type PostbackFilter } from './postback-event-pattern';
export { INGEST_LOGGING } from './postback-functions';
export { addReceiverOutputs, RECEIVER_OUTPUT_NAMES, type ReceiverOutputName, type ReceiverOutputsOptions } from './receiver-outputs';
export { type ApiType, type MmsPostbackReceiverProps, propHint } from './receiver-props';
export { ReceiverPropsError } from './receiver-props-error';

function attributeType(type: 'S' | 'N' | 'B'): dynamodb.AttributeType {
  switch (type) {
    case 'S':
      return dynamodb.AttributeType.STRING;
    case 'N':
      return dynamodb.AttributeType.NUMBER;
    case 'B':
      return dynamodb.AttributeType.BINARY;
  }
}

/**
 * The MMS postback receiver: `POST /postbacks` (API Gateway REST API) to
 * an ingest function that stores each postback in DynamoDB (one transaction), and a
 * publisher function on the table's stream that publishes one typed event per stored
 * postback on EventBridge (a transactional outbox); IAM-authorized `GET /messages/{trackingId}` and
 * `GET /messages?clientReference=` on a read-only query function; a schema registry with
 * one schema per detail-type; alarms and a dashboard.
 *
 * A minimal deployment is one statement with secure defaults; subscribe with
 * {@link MmsPostbackReceiver.onPostback}.
 *
 * @example
 * const receiver = new MmsPostbackReceiver(this, 'Postbacks', {
 *   allowedSourceCidrs: ['203.0.113.0/24'],
 *   alarmTopic: opsTopic,
 * });
 * receiver.onPostback({ outcome: 'failure' }, new targets.SqsQueue(failures));
 */
export class MmsPostbackReceiver extends Construct {
  /**
   * The table of latest states, history and rejected postbacks.
   *
   * @example
   * receiver.table.grantReadData(reportFunction);
   */
  public readonly table: dynamodb.TableV2;
  /**
   * The bus the events are published on (created, or the one given).
   *
   * @example
   * new events.Rule(this, 'All', { eventBus: receiver.eventBus, eventPattern: receiver.eventPattern({}) });
   */
  public readonly eventBus: events.IEventBus;
  /** The archive of the receiver's events; only with a created bus. */
  public readonly archive?: events.Archive;
  /** The schema registry with one schema per detail-type. */
  public readonly schemaRegistry: PostbackEventSchemas;
  /**
   * The shared secret (created, or the one given); its `SecretString` is the secret itself.
   *
   * @example
   * receiver.secret.grantRead(providerSetupFunction);
   */
  public readonly secret: secretsmanager.ISecret;
  /** The scheduled status-unknown sweep; `undefined` when `statusUnknownAfter` is 0. */
  public readonly statusUnknownSweep?: StatusUnknownSweep;
  /** The function behind `POST /postbacks`. */
  public readonly ingestFunction: lambda.Function;
  /** The read-only function behind `GET /messages` and `GET /messages/{trackingId}`. */
  public readonly queryFunction: lambda.Function;
  /** The outbox publisher: the function on the table's stream, its event source mapping and on-failure queue. */
  public readonly publisher: PostbackPublisher;
  /** The function that publishes the events of stored postbacks from the table's stream. */
  public readonly publisherFunction: lambda.Function;
  /**
   * The API in front of the functions: the REST API (default) or the HTTP API (`apiType: 'http'`).
   *
   * @example
   * Tags.of(receiver.api).add('team', 'messaging'); // restApi or httpApi for what only one kind has
   */
  public readonly api: apigateway.RestApi | apigatewayv2.HttpApi;
  /** The REST API; only with `apiType: 'rest'` (the default). */
  public readonly restApi?: apigateway.RestApi;
  /** The HTTP API, its stage and routes; only with `apiType: 'http'`. */
  public readonly httpApi?: PostbackHttpApi;
  /** The API's stage (throttling, access log, the metrics of the alarms), REST or HTTP. */
  public readonly apiStage: apigateway.Stage | apigatewayv2.HttpStage;
  /** The API's JSON access log. */
  public readonly accessLogGroup: logs.LogGroup;
  /** The topic the alarms notify, when one was given. */
  public readonly alarmTopic?: sns.ITopic;
  /** Every alarm of the receiver. */
  public readonly alarms: readonly cloudwatch.Alarm[];
  /** The CloudWatch dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The `Source` of the published events. */
  public readonly eventSource: string;

  private ruleCount = 0;

  constructor(scope: Construct, id: string, props: MmsPostbackReceiverProps = {}) {
    super(scope, id);
    validateReceiverProps(props);
    const removalPolicy = props.removalPolicy ?? RECEIVER_DEFAULTS.removalPolicy;
    const timeout = props.functionTimeout ?? RECEIVER_DEFAULTS.functionTimeout;
    const logRetention = props.logRetention ?? RECEIVER_DEFAULTS.logRetention;
    const tracing = props.tracing ?? RECEIVER_DEFAULTS.tracing;
    const serviceName = props.serviceName ?? RECEIVER_DEFAULTS.serviceName;
    const statusUnknownAfter = props.statusUnknownAfter ?? RECEIVER_DEFAULTS.statusUnknownAfter;
    this.eventSource = props.eventSource ?? RECEIVER_DEFAULTS.eventSource;
    this.alarmTopic = props.alarmTopic;

    // Table: built from the same definition as the local run and the store adapter.
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: TABLE_DEFINITION.partitionKey.name, type: attributeType(TABLE_DEFINITION.partitionKey.type) },
      sortKey: { name: TABLE_DEFINITION.sortKey.name, type: attributeType(TABLE_DEFINITION.sortKey.type) },
      timeToLiveAttribute: TABLE_DEFINITION.timeToLiveAttribute,
      // The outbox: the publisher reads history-entry inserts from it.
      dynamoStream: dynamodb.StreamViewType[TABLE_DEFINITION.stream],
      globalSecondaryIndexes: TABLE_DEFINITION.globalSecondaryIndexes.map((gsi) => ({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey.name, type: attributeType(gsi.partitionKey.type) },
        sortKey: { name: gsi.sortKey.name, type: attributeType(gsi.sortKey.type) },
        projectionType: dynamodb.ProjectionType[gsi.projection],
        warmThroughput: props.warmThroughput,
      })),
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      warmThroughput: props.warmThroughput,
      // A retained table is kept on purpose: protect it from a DeleteTable as well.
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });

    // Event bus, archive and schemas.
    if (props.eventBus) {
      this.eventBus = props.eventBus;
    } else {
      const bus = new events.EventBus(this, 'EventBus', {
        eventBusName: props.eventBusName,
        description: `MMS postback events (source ${this.eventSource})`,
      });
      const retentionDays = props.archiveRetentionDays ?? RECEIVER_DEFAULTS.archiveRetentionDays;
      this.archive = bus.archive('Archive', {
        description: `Replay archive of the MMS postback events (${retentionDays === 0 ? 'kept indefinitely' : `${retentionDays} days`})`,
        eventPattern: { source: [this.eventSource] },
        retention: retentionDays === 0 ? undefined : Duration.days(retentionDays),
      });
      this.eventBus = bus;
    }
    this.schemaRegistry = new PostbackEventSchemas(this, 'Schemas', {
      eventSource: this.eventSource,
      registryName: props.schemaRegistryName,
    });

    // Shared secret.
    if (props.secret) {
      this.secret = props.secret;
    } else {
      const secret = new secretsmanager.Secret(this, 'Secret', {
        secretName: props.secretName,
        description: 'Shared secret of POST /postbacks (Basic auth password, X-Postback-Token header or ?token=)',
        generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
        removalPolicy,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The secret is shared with the messaging provider, which must be reconfigured by hand on every change, so it cannot rotate automatically. Manual rotation needs no downtime: the function accepts the AWSCURRENT and AWSPREVIOUS versions.',
      });
      this.secret = secret;
    }

    // Functions: all built by `createPostbackFunction`; each sets its environment (from the
    // configuration contract) next to its grants, and the publisher names the bus as
    // `busReference` says (a given bus by its ARN: it may be in another account).
    const historyRetentionDays = props.historyRetentionDays ?? RECEIVER_DEFAULTS.historyRetentionDays;
    const common = {
      timeout,
      logRetention,
      tracing,
      removalPolicy,
      memorySize: props.memorySize ?? RECEIVER_DEFAULTS.memorySize,
      sourceMaps: props.sourceMaps ?? RECEIVER_DEFAULTS.sourceMaps,
    };
    this.ingestFunction = createIngestFunction(this, {
      ...common,
      table: this.table,
      secret: this.secret,
      reservedConcurrency: props.reservedConcurrency,
      settings: {
        historyRetentionDays,
        rejectedRetentionDays: props.rejectedRetentionDays,
        retryAfterSeconds: props.retryAfterSeconds,
        statusUnknownAfterSeconds: statusUnknownAfter.toSeconds(),
        serviceName,
      },
    });
    this.queryFunction = createQueryFunction(this, {
      ...common,
      table: this.table,
      serviceName,
      retryAfterSeconds: props.retryAfterSeconds,
    });
    this.publisherFunction = createPostbackFunction(this, 'PublisherFunction', {
      ...common,
      timeout: PUBLISHER_TIMEOUT,
      entry: 'publisher',
      description: 'MMS postbacks: publishes the event of each stored postback from the table stream (outbox)',
      environment: {},
    });
    this.publisher = new PostbackPublisher(this, 'Publisher', {
      function: this.publisherFunction,
      table: this.table,
      eventBus: this.eventBus,
      eventSource: this.eventSource,
      serviceName,
      tracing,
      batchSize: props.publisherBatchSize,
      maxBatchingWindow: props.publisherMaxBatchingWindow,
      retryAttempts: props.publisherRetryAttempts,
    });
    if (statusUnknownAfter.toSeconds() > 0) {
      this.statusUnknownSweep = new StatusUnknownSweep(this, 'StatusUnknownSweep', {
        function: createPostbackFunction(this, 'StatusUnknownSweepFunction', {
          ...common,
          timeout: STATUS_UNKNOWN_SWEEP_TIMEOUT,
          entry: 'status-unknown-sweep',
          description: 'MMS postbacks: declares MMS Status Unknown for messages with no final postback in time (scheduled)',
          environment: {},
        }),
        table: this.table,
        statusUnknownAfter,
        historyRetentionDays,
        serviceName,
        tracing,
      });
    }

    // API.
    this.accessLogGroup = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy });
    const api = {
      ingestFunction: this.ingestFunction,
      queryFunction: this.queryFunction,
      accessLogGroup: this.accessLogGroup,
      stageName: props.stageName ?? RECEIVER_DEFAULTS.stageName,
      throttlingRateLimit: props.throttlingRateLimit ?? RECEIVER_DEFAULTS.throttlingRateLimit,
      throttlingBurstLimit: props.throttlingBurstLimit ?? RECEIVER_DEFAULTS.throttlingBurstLimit,
      apiName: `${Stack.of(this).stackName}-${this.node.id}`,
    };
    if (props.apiType === 'http') {
      this.httpApi = new PostbackHttpApi(this, 'Api', api);
      this.api = this.httpApi.httpApi;
      this.apiStage = this.httpApi.stage;
    } else {
      this.restApi = new PostbackRestApi(this, 'Api', {
        ...api,
        retryAfterSeconds: props.retryAfterSeconds ?? RECEIVER_DEFAULTS.retryAfterSeconds,
        tracing,
        allowedSourceCidrs: props.allowedSourceCidrs,
        apiGatewayCloudWatchRole: props.apiGatewayCloudWatchRole,
        settingHint: props.settingHint,
      });
      this.api = this.restApi;
      this.apiStage = this.restApi.deploymentStage;
    }

    // Alarms and dashboard: every alarm (the publisher's too) notifies the topic and shows in the dashboard's alarm widget.
    const monitoring = new PostbackMonitoring(this, 'Monitoring', {
      stage: this.apiStage,
      accessLogGroup: this.accessLogGroup,
      ingestFunction: this.ingestFunction,
      queryFunction: this.queryFunction,
      publisher: { function: this.publisherFunction, onFailureQueue: this.publisher.onFailureQueue },
      table: this.table,
      serviceName,
      alarmTopic: props.alarmTopic,
    });
    this.alarms = monitoring.alarms;
    this.dashboard = monitoring.dashboard;
    if (props.outputs) addReceiverOutputs(this, props.outputs === true ? {} : props.outputs);
  }

  /**
   * The URL to give the provider (without credentials).
   *
   * @example
   * new CfnOutput(this, 'PostbackUrl', { value: receiver.postbackUrl }); // https://…/prod/postbacks
   */
  public get postbackUrl(): string {
    return this.urlForPath('/postbacks');
  }

  /**
   * The URL of the IAM-authorized read API (`GET …/messages/{trackingId}`, `GET …/messages?clientReference=`).
   *
   * @example
   * new CfnOutput(this, 'QueryUrl', { value: receiver.queryUrl }); // https://…/prod/messages
   */
  public get queryUrl(): string {
    return this.urlForPath('/messages');
  }

  private urlForPath(path: string): string {
    return (this.httpApi ?? (this.restApi as apigateway.RestApi)).urlForPath(path);
  }

  /**
   * Subscribes a target to the receiver's events: a rule on the bus that matches the
   * receiver's `Source` and the filter.
   *
   * @param filter which postbacks; an empty filter matches every event of the receiver
   * @param target where to send them
   * @param options id, name and description of the rule
   * @returns the rule, to add targets or change it
   * @example
   * receiver.onPostback({ outcome: 'failure' }, new targets.SqsQueue(failures));
   * receiver.onPostback({ detailTypes: ['MMS Delivered', 'MMS Delivered As SMS'] }, new targets.LambdaFunction(onDelivered));
   * receiver.onPostback({ codes: ['E101', 'E102'] }, new targets.SnsTopic(topic), { id: 'HardFailures' });
   */
  public onPostback(filter: PostbackFilter, target?: events.IRuleTarget, options: OnPostbackOptions = {}): events.Rule {
    const pattern = this.eventPattern(filter);
    this.ruleCount += 1;
    const id = options.id ?? (this.ruleCount === 1 ? 'OnPostback' : `OnPostback${this.ruleCount}`);
    return new events.Rule(this, id, {
      eventBus: this.eventBus,
      ruleName: options.ruleName,
      description: options.description ?? `MMS postbacks: ${describePostbackFilter(filter)}`,
      eventPattern: pattern,
      targets: target ? [target] : undefined,
    });
  }

  /**
   * The event pattern of a filter (source, detail-type, detail.outcome, detail.code),
   * validated against the catalog.
   *
   * @example
   * receiver.eventPattern({ outcome: 'failure' }); // { source: ['mms.postbacks'], detail: { outcome: ['failure'] } }
   */
  public eventPattern(filter: PostbackFilter): events.EventPattern {
    return postbackEventPattern(this.eventSource, filter);
  }
}
