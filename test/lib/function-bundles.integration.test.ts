/**
 * The functions as the construct bundles them with esbuild (a child process per function):
 * in the integration tier, as every test that runs another program. The construct tests of
 * the unit tier synthesize without bundling (`testApp()`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { MmsPostbackReceiver } from '../../lib/mms-postback-receiver';
import { logicalId, templateOf, testApp, testStack } from './helpers';

describe('MmsPostbackReceiver with defaults, bundled with esbuild', () => {
  let stack: Stack;
  let receiver: MmsPostbackReceiver;
  let template: Template;
  let assemblyDir: string;

  beforeAll(() => {
    const app = testApp({ bundle: true });
    stack = testStack(app);
    receiver = new MmsPostbackReceiver(stack, 'Receiver');
    template = templateOf(stack);
    assemblyDir = app.synth().directory;
  });

  // Tracing is off by default: the functions bundle the AWS SDK v3 clients without Powertools
  // Tracer and the X-Ray SDK (about 130 KB less). The ingest function measures about 370 KB,
  // the query function about 240 KB (docs/performance.md). These ceilings catch regressions;
  // `npm run bench` measures the figures.
  const BUNDLE_CEILING_BYTES = new Map<unknown, number>();

  const bundleOf = (fn: { node: { defaultChild?: unknown } }) => {
    const key: string = template.toJSON().Resources[logicalId(stack, fn)].Properties.Code.S3Key;
    const dir = path.join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`);
    return { dir, bundle: fs.readFileSync(path.join(dir, 'index.mjs'), 'utf8') };
  };
  const sweepFunction = () => receiver.statusUnknownSweep?.function as NonNullable<typeof receiver.statusUnknownSweep>['function'];

  test('the bundles are minified ESM with every dependency inside, under their size ceilings', () => {
    const sweep = sweepFunction();
    // fast-xml-parser (XML postbacks) adds about 65 KB to the ingest, sweep and publisher bundles
    // (evaluated on the first XML body only).
    BUNDLE_CEILING_BYTES.set(receiver.ingestFunction, 400_000)
      .set(receiver.queryFunction, 270_000)
      .set(sweep, 310_000)
      .set(receiver.publisherFunction, 350_000);
    for (const fn of [receiver.ingestFunction, receiver.queryFunction, sweep, receiver.publisherFunction]) {
      const { dir, bundle } = bundleOf(fn);
      expect(fs.existsSync(path.join(dir, 'index.mjs.map'))).toBe(true);
      expect(Buffer.byteLength(bundle)).toBeLessThanOrEqual(BUNDLE_CEILING_BYTES.get(fn)!);
      expect(bundle.startsWith('import { createRequire }')).toBe(true);
      expect(bundle).not.toMatch(/from\s*["']@aws-sdk\//); // bundled, not external
    }
  });

  // The EventBridge client announces itself in its bundle by its service's target prefix
  // (X-Amz-Target "AWSEvents.PutEvents") and its package name.
  const hasEventBridgeClient = (bundle: string) => /AWSEvents|client-eventbridge/.test(bundle);

  test('only the publisher bundles the EventBridge client: the ingest function and the sweep never publish', () => {
    expect(hasEventBridgeClient(bundleOf(receiver.publisherFunction).bundle)).toBe(true);
    expect(hasEventBridgeClient(bundleOf(receiver.ingestFunction).bundle)).toBe(false);
    expect(hasEventBridgeClient(bundleOf(sweepFunction()).bundle)).toBe(false);
    expect(hasEventBridgeClient(bundleOf(receiver.queryFunction).bundle)).toBe(false);
  });

  // The X-Ray SDK announces itself by its name in a bundle.
  const hasXRay = (bundle: string) => /aws-xray-sdk|AWSXRay/.test(bundle);

  test('with tracing off, no function loads Powertools Tracer or the X-Ray SDK', () => {
    for (const fn of [receiver.ingestFunction, receiver.queryFunction, sweepFunction(), receiver.publisherFunction]) {
      expect(hasXRay(bundleOf(fn).bundle)).toBe(false);
    }
  });

  test('with tracing on, every function gets the bundle with the tracer', () => {
    const app = testApp({ bundle: true });
    const tracedStack = testStack(app, 'TracedStack');
    const traced = new MmsPostbackReceiver(tracedStack, 'Receiver', { tracing: true });
    const tracedTemplate = templateOf(tracedStack).toJSON();
    const tracedDir = app.synth().directory;
    const functions = [traced.ingestFunction, traced.queryFunction, traced.statusUnknownSweep?.function, traced.publisherFunction];
    for (const fn of functions) {
      const key: string = tracedTemplate.Resources[logicalId(tracedStack, fn as NonNullable<typeof fn>)].Properties.Code.S3Key;
      const bundle = fs.readFileSync(path.join(tracedDir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'), 'utf8');
      expect(hasXRay(bundle)).toBe(true);
    }
  });
});
