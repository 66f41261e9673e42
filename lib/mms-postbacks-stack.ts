import { Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { MmsPostbackReceiver } from './mms-postback-receiver';
import { contextHint, type StackContext } from './stack-context';

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
    // Keys that exclude or need each other are checked by `readStackContext`.
    const {
      stackName: _stackName,
      secretArn,
      secretKmsKeyArn,
      eventBusArn,
      alarmTopicArn,
      alarmEmail,
      warmWriteUnitsPerSecond,
      warmReadUnitsPerSecond,
      statusUnknownAfterHours,
      ...receiverProps
    } = props.config ?? {};

    const secret = secretArn
      ? secretsmanager.Secret.fromSecretAttributes(this, 'ExistingSecret', {
          secretCompleteArn: secretArn,
          encryptionKey: secretKmsKeyArn ? kms.Key.fromKeyArn(this, 'ExistingSecretKey', secretKmsKeyArn) : undefined,
        })
      : undefined;
    const eventBus = eventBusArn ? events.EventBus.fromEventBusArn(this, 'ExistingEventBus', eventBusArn) : undefined;

    let alarmTopic: sns.ITopic | undefined;
    if (alarmTopicArn) {
      alarmTopic = sns.Topic.fromTopicArn(this, 'ExistingAlarmTopic', alarmTopicArn);
    } else if (alarmEmail) {
      const topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'MMS postback receiver alarms', enforceSSL: true });
      topic.addSubscription(new subscriptions.EmailSubscription(alarmEmail));
      Validations.of(topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notifications carry no sensitive data, and CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key; a customer-managed key would be the only option and adds cost for no benefit here.',
      });
      alarmTopic = topic;
    }

    this.receiver = new MmsPostbackReceiver(this, 'Receiver', {
      ...receiverProps,
      secret,
      eventBus,
      alarmTopic,
      warmThroughput:
        warmWriteUnitsPerSecond !== undefined || warmReadUnitsPerSecond !== undefined
          ? { writeUnitsPerSecond: warmWriteUnitsPerSecond, readUnitsPerSecond: warmReadUnitsPerSecond }
          : undefined,
      statusUnknownAfter: statusUnknownAfterHours === undefined ? undefined : Duration.hours(statusUnknownAfterHours),
      // The outputs an operator needs (PostbackUrl, SecretArn, …), the same a consumer's stack gets with `outputs: true`.
      outputs: true,
      // Messages name what this app is configured with: its context keys.
      settingHint: contextHint,
    });
  }
}
