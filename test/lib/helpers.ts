import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MmsPostbackReceiver } from '../../lib/mms-postback-receiver';

const CDK_JSON = path.join(__dirname, '..', '..', 'cdk.json');

/** The feature flags of cdk.json, so that tests synthesize what `cdk synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(fs.readFileSync(CDK_JSON, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
}

/**
 * A test app with the flags of cdk.json. With `bundle: false`, asset bundling (esbuild) is
 * skipped for speed; the one test file per construct that checks bundling sets it to true.
 */
export function testApp(options: { bundle?: boolean; context?: Record<string, unknown> } = {}): App {
  return new App({
    context: {
      ...cdkJsonContext(),
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
}

/** A stack in a fixed environment (so ARNs and regions render predictably). */
export function testStack(app: App = testApp(), id = 'TestStack'): Stack {
  return new Stack(app, id, { env: { account: '123456789012', region: 'eu-west-1' } });
}

/** The unacknowledged cdk-nag AwsSolutions findings of a stack, as `rule @ construct path` strings. */
export function nagFindings(stack: Stack): string[] {
  const report = new AwsSolutionsChecks(stack).validateScope(stack);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} @ ${resource.constructPath ?? resource.resourceLogicalId}`),
  );
}

/** Synthesizes a stack's template. */
export function templateOf(stack: Stack): Template {
  return Template.fromStack(stack);
}

/** The single resource of a type whose logical id starts with a prefix. */
export function onlyResource(
  template: Template,
  type: string,
  logicalIdPrefix = '',
): { id: string; resource: { Properties: Record<string, unknown> } } {
  const all = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(logicalIdPrefix));
  if (all.length !== 1)
    throw new Error(`expected one ${type} with prefix "${logicalIdPrefix}", found ${all.map(([id]) => id).join(', ') || 'none'}`);
  const [id, resource] = all[0] as [string, { Properties: Record<string, unknown> }];
  return { id, resource };
}

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
type Json = any;

/** The logical id of a construct's CloudFormation resource. */
export const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as never);

/** The statements of the one IAM policy attached to a role. */
export function statementsOf(template: Template, roleLogicalId: string): Json[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy: Json) =>
    (policy.Properties.Roles as Json[]).some((role) => role.Ref === roleLogicalId),
  );
  if (policies.length !== 1) throw new Error(`expected one policy on role ${roleLogicalId}, found ${policies.length}`);
  return (policies[0] as Json).Properties.PolicyDocument.Statement;
}

/** A receiver with defaults, in a new stack (not bundled). */
export function defaultReceiver(): { stack: Stack; receiver: MmsPostbackReceiver; template: Template } {
  const stack = testStack();
  const receiver = new MmsPostbackReceiver(stack, 'Receiver');
  return { stack, receiver, template: templateOf(stack) };
}

/** The ARNs of {@link everyOptionReceiver}. */
export const EVERY_OPTION = {
  busArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/shared',
  secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:provider-token-AbCdEf',
  keyArn: 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555',
  topicArn: 'arn:aws:sns:eu-west-1:123456789012:ops',
} as const;

/** A receiver with every option set (an existing bus, secret with its key, and topic), in a new stack. */
export function everyOptionReceiver(): { stack: Stack; receiver: MmsPostbackReceiver; template: Template } {
  const stack = testStack();
  const receiver = new MmsPostbackReceiver(stack, 'Receiver', {
    secret: secretsmanager.Secret.fromSecretAttributes(stack, 'Secret', {
      secretCompleteArn: EVERY_OPTION.secretArn,
      encryptionKey: kms.Key.fromKeyArn(stack, 'Key', EVERY_OPTION.keyArn),
    }),
    allowedSourceCidrs: ['203.0.113.0/24', '2001:db8::/32'],
    throttlingRateLimit: 10,
    throttlingBurstLimit: 20,
    historyRetentionDays: 30,
    rejectedRetentionDays: 7,
    eventSource: 'acme.mms',
    eventBus: events.EventBus.fromEventBusArn(stack, 'Bus', EVERY_OPTION.busArn),
    alarmTopic: sns.Topic.fromTopicArn(stack, 'Topic', EVERY_OPTION.topicArn),
    tracing: true,
    removalPolicy: RemovalPolicy.DESTROY,
    functionTimeout: Duration.seconds(20),
    publisherBatchSize: 5,
    publisherMaxBatchingWindow: Duration.seconds(2),
    publisherRetryAttempts: 3,
    retryAfterSeconds: 9,
    memorySize: 1024,
    stageName: 'live',
    serviceName: 'acme-mms',
    schemaRegistryName: 'acme-mms',
    apiGatewayCloudWatchRole: true,
    reservedConcurrency: 200,
    warmThroughput: { writeUnitsPerSecond: 12_000, readUnitsPerSecond: 15_000 },
  });
  return { stack, receiver, template: templateOf(stack) };
}
