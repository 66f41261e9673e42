import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MmsPostbackReceiver } from '../../lib/mms-postback-receiver';
import { PostbackMonitoring, type PostbackMonitoringProps } from '../../lib/postback-monitoring';
import { defaultReceiver, everyOptionReceiver, logicalId, testStack } from './helpers';

/** A second monitoring construct on a default receiver, with some props of its own. */
function monitoringWith(extra: (stack: Stack) => Partial<PostbackMonitoringProps>): { stack: Stack; create: () => PostbackMonitoring } {
  const stack = testStack();
  const receiver = new MmsPostbackReceiver(stack, 'Receiver');
  const create = () =>
    new PostbackMonitoring(stack, 'Extra', {
      stage: receiver.apiStage,
      ingestFunction: receiver.ingestFunction,
      queryFunction: receiver.queryFunction,
      table: receiver.table,
      serviceName: 'svc',
      ...extra(stack),
    });
  return { stack, create };
}

describe('PostbackMonitoring', () => {
  test('a custom 5xx-rate threshold and a topic', () => {
    const topicArn = 'arn:aws:sns:eu-west-1:123456789012:ops';
    const { stack, create } = monitoringWith((s) => ({
      alarmTopic: sns.Topic.fromTopicArn(s, 'T', topicArn),
      api5xxRateThreshold: 0.01,
      dashboardName: 'mms-postbacks',
    }));
    const monitoring = create();
    const template = Template.fromStack(stack);
    // Without an access log group and a publisher: 2 API rates, 4 function alarms, rejected postbacks, DynamoDB throttles.
    expect(monitoring.alarms).toHaveLength(8);
    expect(monitoring.publisherOnFailureAlarm).toBeUndefined();
    expect(monitoring.apiThrottledAlarm).toBeUndefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5XXError', Threshold: 0.01, AlarmActions: [topicArn] });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'mms-postbacks' });
  });

  test('a custom 4xx-rate threshold', () => {
    const { stack, create } = monitoringWith(() => ({ api4xxRateThreshold: 0.2 }));
    const monitoring = create();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '4XXError',
      Threshold: 0.2,
      AlarmDescription: Match.stringLikeRegexp('^More than 20% of'),
    });
    // The exposed alarm is that one: the 4xx rate of the stage against the given threshold.
    expect(template.toJSON().Resources[logicalId(stack, monitoring.api4xxRateAlarm)].Properties).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '4XXError',
      Statistic: 'Average',
      Threshold: 0.2,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  test.each(
    (['api4xxRateThreshold', 'api5xxRateThreshold'] as const).flatMap((prop) => [0, 1, -0.1, 2].map((value) => [prop, value] as const)),
  )('refuses %s of %p', (prop, threshold) => {
    const { create } = monitoringWith(() => ({ [prop]: threshold }));
    expect(create).toThrow(new RegExp(`${prop} must be between 0 and 1`));
  });
});

/** The logical ids of the alarms listed by the dashboard's alarm status widget. */
function alarmWidgetAlarmIds(template: Template): string[] {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  // The body is an Fn::Join of JSON text and tokens: put each alarm's ARN back as its logical id.
  const parts = (dashboards[0] as { Properties: { DashboardBody: { 'Fn::Join': [string, unknown[]] } } }).Properties.DashboardBody[
    'Fn::Join'
  ][1];
  const body = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      return getAtt ? `alarm:${getAtt[0]}` : 'token';
    })
    .join('');
  const widgets = JSON.parse(body).widgets as Array<{ type: string; properties: { alarms?: string[] } }>;
  const alarmWidgets = widgets.filter((widget) => widget.type === 'alarm');
  expect(alarmWidgets).toHaveLength(1);
  return (alarmWidgets[0]?.properties.alarms ?? []).map((arn) => arn.replace(/^alarm:/, ''));
}

describe("the receiver's dashboard", () => {
  test.each([
    ['defaults', defaultReceiver],
    ['every option', everyOptionReceiver],
  ])("with %s: the alarm widget lists every alarm of the receiver, the publisher's included", (_name, build) => {
    const { stack, receiver, template } = build();
    const alarmIds = receiver.alarms.map((alarm) => logicalId(stack, alarm));
    expect(alarmIds).toEqual(
      expect.arrayContaining([expect.stringMatching(/PublisherOnFailureAlarm/), expect.stringMatching(/PublisherLagAlarm/)]),
    );
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).sort()).toEqual([...alarmIds].sort());
    expect(alarmWidgetAlarmIds(template)).toEqual(alarmIds);
  });
});
