import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';

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
