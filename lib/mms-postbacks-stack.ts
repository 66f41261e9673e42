import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { MmsPostbackReceiver } from './mms-postback-receiver';
import type { StackContext } from './stack-context';

/** Properties of {@link MmsPostbacksStack}: the stack props plus the context configuration. */
export interface MmsPostbacksStackProps extends StackProps {
  /**
   * The configuration, usually read from CDK context with `readStackContext`.
   *
   * @default - every default of `MmsPostbackReceiver`
   */
  readonly config?: StackContext;
}

/**
 * The ready-made stack of `bin/app.ts`: one {@link MmsPostbackReceiver} configured from
 * CDK context, an optional alarm topic, and the outputs an operator needs.
 *
 * @example
 * const app = new App();
 * new MmsPostbacksStack(app, 'MmsPostbacksStack', { config: readStackContext(app.node) });
 */
export class MmsPostbacksStack extends Stack {
  /** The receiver. */
  public readonly receiver: MmsPostbackReceiver;

  constructor(scope: Construct, id: string, props: MmsPostbacksStackProps = {}) {
    super(scope, id, props);
    const config = props.config ?? {};
    if (config.secretArn && config.secretName)
      throw new Error('CDK context: give either secretArn (existing secret) or secretName (new secret), not both');
    if (config.secretKmsKeyArn && !config.secretArn) throw new Error('CDK context: secretKmsKeyArn needs secretArn');
    if (config.alarmTopicArn && config.alarmEmail) throw new Error('CDK context: give either alarmTopicArn or alarmEmail, not both');

    const secret = config.secretArn
      ? secretsmanager.Secret.fromSecretAttributes(this, 'ExistingSecret', {
          secretCompleteArn: config.secretArn,
          encryptionKey: config.secretKmsKeyArn ? kms.Key.fromKeyArn(this, 'ExistingSecretKey', config.secretKmsKeyArn) : undefined,
        })
      : undefined;
    const eventBus = config.eventBusArn ? events.EventBus.fromEventBusArn(this, 'ExistingEventBus', config.eventBusArn) : undefined;

    let alarmTopic: sns.ITopic | undefined;
    if (config.alarmTopicArn) {
      alarmTopic = sns.Topic.fromTopicArn(this, 'ExistingAlarmTopic', config.alarmTopicArn);
    } else if (config.alarmEmail) {
      const topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'MMS postback receiver alarms', enforceSSL: true });
      topic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
      Validations.of(topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notifications carry no sensitive data, and CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key; a customer-managed key would be the only option and adds cost for no benefit here.',
      });
      alarmTopic = topic;
    }

    this.receiver = new MmsPostbackReceiver(this, 'Receiver', {
      secret,
      secretName: config.secretName,
      allowedSourceCidrs: config.allowedSourceCidrs,
      throttlingRateLimit: config.throttlingRateLimit,
      throttlingBurstLimit: config.throttlingBurstLimit,
      historyRetentionDays: config.historyRetentionDays,
      rejectedRetentionDays: config.rejectedRetentionDays,
      archiveRetentionDays: config.archiveRetentionDays,
      eventSource: config.eventSource,
      eventBus,
      eventBusName: config.eventBusName,
      alarmTopic,
      tracing: config.tracing,
      removalPolicy: config.removalPolicy,
      logRetention: config.logRetention,
      stageName: config.stageName,
      serviceName: config.serviceName,
      apiGatewayCloudWatchRole: config.apiGatewayCloudWatchRole,
      reservedConcurrency: config.reservedConcurrency,
      warmThroughput:
        config.warmWriteUnitsPerSecond !== undefined || config.warmReadUnitsPerSecond !== undefined
          ? { writeUnitsPerSecond: config.warmWriteUnitsPerSecond, readUnitsPerSecond: config.warmReadUnitsPerSecond }
          : undefined,
      statusUnknownAfter: config.statusUnknownAfterHours === undefined ? undefined : Duration.hours(config.statusUnknownAfterHours),
      apiType: config.apiType,
    });

    const output = (outputId: string, value: string, description: string) => new CfnOutput(this, outputId, { value, description });
    output('PostbackUrl', this.receiver.postbackUrl, 'Give this URL to the provider, with the secret as Basic auth password or ?token=');
    output('QueryUrl', this.receiver.queryUrl, 'IAM-authorized read API: GET <QueryUrl>/{trackingId} or GET <QueryUrl>?clientReference=…');
    output('EventBusName', this.receiver.eventBus.eventBusName, 'Event bus of the postback events');
    output('EventBusArn', this.receiver.eventBus.eventBusArn, 'ARN of the event bus');
    output('TableName', this.receiver.table.tableName, 'DynamoDB table of states, history and rejected postbacks');
    output('SecretArn', this.receiver.secret.secretArn, 'Secrets Manager secret holding the shared secret');
    output(
      'SchemaRegistryName',
      this.receiver.schemaRegistry.registry.attrRegistryName,
      'EventBridge schema registry with one schema per detail-type',
    );
  }
}
