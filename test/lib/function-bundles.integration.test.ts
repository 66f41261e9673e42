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

  // Both functions bundle the AWS SDK v3 clients and Powertools Tracer (with the X-Ray SDK,
  // about 120 KB); the ingest function measures about 437 KB, the query function about 353 KB
  // (docs/performance.md). These ceilings catch regressions; `npm run bench` measures the figures.
  const BUNDLE_CEILING_BYTES = new Map<unknown, number>();

  const bundleOf = (fn: { node: { defaultChild?: unknown } }) => {
    const key: string = template.toJSON().Resources[logicalId(stack, fn)].Properties.Code.S3Key;
    const dir = path.join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`);
    return { dir, bundle: fs.readFileSync(path.join(dir, 'index.mjs'), 'utf8') };
  };
  const sweepFunction = () => receiver.statusUnknownSweep?.function as NonNullable<typeof receiver.statusUnknownSweep>['function'];

  test('the bundles are minified ESM with every dependency inside, under their size ceilings', () => {
    const sweep = sweepFunction();
    // fast-xml-parser (XML postbacks) adds about 70 KB to the ingest, sweep and publisher bundles.
    BUNDLE_CEILING_BYTES.set(receiver.ingestFunction, 550_000)
      .set(receiver.queryFunction, 400_000)
      .set(sweep, 550_000)
      .set(receiver.publisherFunction, 550_000);
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
});
