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

  test('the bundles are minified ESM with every dependency inside, under their size ceilings', () => {
    const sweep = receiver.statusUnknownSweep?.function as NonNullable<typeof receiver.statusUnknownSweep>['function'];
    // fast-xml-parser (XML postbacks) adds about 70 KB to the ingest and sweep bundles.
    BUNDLE_CEILING_BYTES.set(receiver.ingestFunction, 550_000).set(receiver.queryFunction, 400_000).set(sweep, 550_000);
    for (const fn of [receiver.ingestFunction, receiver.queryFunction, sweep]) {
      const key: string = template.toJSON().Resources[logicalId(stack, fn)].Properties.Code.S3Key;
      const dir = path.join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`);
      const bundle = fs.readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(fs.existsSync(path.join(dir, 'index.mjs.map'))).toBe(true);
      expect(Buffer.byteLength(bundle)).toBeLessThanOrEqual(BUNDLE_CEILING_BYTES.get(fn)!);
      expect(bundle.startsWith('import { createRequire }')).toBe(true);
      expect(bundle).not.toMatch(/from\s*["']@aws-sdk\//); // bundled, not external
    }
  });
});
