/**
 * The figures of the documentation that the code determines, computed from the code:
 * counts from the template of the example stack (`MmsPostbacksStack` with its defaults,
 * synthesized in process with `aws-cdk-lib`'s `Template`, without bundling), and the sizes of
 * the function bundles that `npm run build` writes to `dist/functions/`. `npm run check-docs`
 * compares every figure marked in README.md and docs/ with them (`checkFigures` of
 * `scripts/check-docs.ts`).
 *
 * A figure is marked in Markdown by an HTML comment right after it (invisible on GitHub):
 * `11 CloudWatch alarms<!-- figure: alarms -->`, `524 KB<!-- figure: bundle-kb:ingest -->`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PRICES } from '../bench/prices';
import { SHARD_COUNT } from '../lambda/table/shards';

/** A CloudFormation template as JSON (only what the figures read). */
export interface TemplateJson {
  readonly Resources?: Record<
    string,
    { readonly Type: string; readonly DeletionPolicy?: string; readonly Properties?: Record<string, unknown> }
  >;
  readonly Outputs?: Record<string, unknown>;
}

/** One computed figure: its value, what it is, and how a documented value is compared with it. */
export interface Figure {
  readonly value: number;
  /** Where the value comes from, for the message of a stale figure. */
  readonly source: string;
  /** Largest accepted relative difference (0: exact). */
  readonly tolerance: number;
}

/** The computed figures by name. */
export type Figures = Readonly<Record<string, Figure>>;

const count = (template: TemplateJson, test: (resource: NonNullable<TemplateJson['Resources']>[string]) => boolean) =>
  Object.values(template.Resources ?? {}).filter(test).length;

/**
 * The figures a template determines: resource counts, and the monthly price of the alarms.
 *
 * @example
 * templateFigures({ Resources: { A: { Type: 'AWS::CloudWatch::Alarm' } } }).alarms.value; // 1
 */
export function templateFigures(template: TemplateJson, stackName = 'the example stack'): Figures {
  const exact = (value: number, what: string): Figure => ({ value, source: `${what} in the template of ${stackName}`, tolerance: 0 });
  const alarms = count(template, (r) => r.Type === 'AWS::CloudWatch::Alarm');
  return {
    alarms: exact(alarms, 'AWS::CloudWatch::Alarm resources'),
    'alarms-usd-month': {
      value: Math.round(alarms * PRICES.cloudWatchAlarmPerMonth * 100) / 100,
      source: `${alarms} alarms at $${PRICES.cloudWatchAlarmPerMonth} (bench/prices.ts), from the template of ${stackName}`,
      tolerance: 0,
    },
    functions: exact(
      count(template, (r) => r.Type === 'AWS::Lambda::Function'),
      'AWS::Lambda::Function resources',
    ),
    'scheduled-functions': exact(
      count(template, (r) => r.Type === 'AWS::Events::Rule' && r.Properties?.ScheduleExpression !== undefined),
      'scheduled AWS::Events::Rule resources',
    ),
    'log-groups': exact(
      count(template, (r) => r.Type === 'AWS::Logs::LogGroup'),
      'AWS::Logs::LogGroup resources',
    ),
    'retained-log-groups': exact(
      count(template, (r) => r.Type === 'AWS::Logs::LogGroup' && r.DeletionPolicy === 'Retain'),
      'AWS::Logs::LogGroup resources with DeletionPolicy Retain',
    ),
    outputs: exact(Object.keys(template.Outputs ?? {}).length, 'Outputs'),
    'rest-api-routes': exact(
      count(template, (r) => r.Type === 'AWS::ApiGateway::Method'),
      'AWS::ApiGateway::Method resources',
    ),
    'gateway-responses': exact(
      count(template, (r) => r.Type === 'AWS::ApiGateway::GatewayResponse'),
      'AWS::ApiGateway::GatewayResponse resources',
    ),
    'event-schemas': exact(
      count(template, (r) => r.Type === 'AWS::EventSchemas::Schema'),
      'AWS::EventSchemas::Schema resources',
    ),
  };
}

/** How far a documented bundle size (KB = 1,000 bytes, rounded) may be from the build's. */
export const BUNDLE_SIZE_TOLERANCE = 0.02;

/**
 * The size of each function bundle that `npm run build` wrote (`dist/functions/<name>/index.mjs`),
 * in KB of 1,000 bytes, as `bundle-kb:<name>`; empty when nothing is built.
 *
 * @example
 * bundleFigures('.')['bundle-kb:ingest']?.value; // e.g. 524.7
 */
export function bundleFigures(root: string): Figures {
  const dir = path.join(root, 'dist', 'functions');
  if (!existsSync(dir)) return {};
  const out: Record<string, Figure> = {};
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name, 'index.mjs');
    if (!existsSync(file)) continue;
    const bytes = statSync(file).size;
    out[`bundle-kb:${name}`] = {
      value: bytes / 1000,
      source: `dist/functions/${name}/index.mjs, ${bytes.toLocaleString('en-US')} B (npm run build)`,
      tolerance: BUNDLE_SIZE_TOLERANCE,
    };
  }
  return out;
}

/**
 * The template of the example stack with its defaults (`bin/app.ts` with no context key),
 * synthesized in this process without bundling and without CloudFormation validation.
 */
export function exampleStackTemplate(root: string): TemplateJson {
  process.env.CDK_VALIDATION = 'false';
  // Loaded here, so that importing this module for its pure functions costs nothing.
  const { App } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const { Template } = require('aws-cdk-lib/assertions') as typeof import('aws-cdk-lib/assertions');
  const { MmsPostbacksStack } = require('../lib/mms-postbacks-stack') as typeof import('../lib/mms-postbacks-stack');
  const { readStackContext } = require('../lib/stack-context') as typeof import('../lib/stack-context');
  const cdkJson = JSON.parse(readFileSync(path.join(root, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new MmsPostbacksStack(app, 'MmsPostbacksStack', { config: readStackContext(app.node) });
  return Template.fromStack(stack).toJSON() as TemplateJson;
}

/** The figures that constants of the code determine. */
export function codeFigures(): Figures {
  return { shards: { value: SHARD_COUNT, source: 'SHARD_COUNT of lambda/table/shards.ts', tolerance: 0 } };
}

/** Every figure: the example stack's template, constants of the code, and the built bundles. */
export function computeFigures(root: string): Figures {
  return { ...templateFigures(exampleStackTemplate(root), 'MmsPostbacksStack (defaults)'), ...codeFigures(), ...bundleFigures(root) };
}
