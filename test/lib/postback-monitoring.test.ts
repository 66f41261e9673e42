import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MmsPostbackReceiver } from '../../lib/mms-postback-receiver';
import { PostbackMonitoring } from '../../lib/postback-monitoring';
import { testStack } from './helpers';

describe('PostbackMonitoring', () => {
  test('a custom 5xx-rate threshold and a topic', () => {
    const stack = testStack();
    const receiver = new MmsPostbackReceiver(stack, 'Receiver');
    const topic = sns.Topic.fromTopicArn(stack, 'T', 'arn:aws:sns:eu-west-1:123456789012:ops');
    const monitoring = new PostbackMonitoring(stack, 'Extra', {
      stage: receiver.api.deploymentStage,
      ingestFunction: receiver.ingestFunction,
      queryFunction: receiver.queryFunction,
      table: receiver.table,
      serviceName: 'svc',
      alarmTopic: topic,
      api5xxRateThreshold: 0.01,
      dashboardName: 'mms-postbacks',
    });
    const template = Template.fromStack(stack);
    expect(monitoring.alarms).toHaveLength(8);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5XXError', Threshold: 0.01, AlarmActions: [topic.topicArn] });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'mms-postbacks' });
  });

  test.each([0, 1, -0.1, 2])('refuses a 5xx-rate threshold of %p', (threshold) => {
    const stack = testStack();
    const receiver = new MmsPostbackReceiver(stack, 'Receiver');
    expect(
      () =>
        new PostbackMonitoring(stack, 'Extra', {
          stage: receiver.api.deploymentStage,
          ingestFunction: receiver.ingestFunction,
          queryFunction: receiver.queryFunction,
          table: receiver.table,
          serviceName: 'svc',
          api5xxRateThreshold: threshold,
        }),
    ).toThrow(/api5xxRateThreshold must be between 0 and 1/);
  });
});
