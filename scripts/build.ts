/**
 * `npm run build` (also run by `npm pack` / `npm publish` through `prepack`): the installable
 * package in `dist/`.
 *
 * - `dist/lib/`, `dist/lambda/`: JavaScript and `.d.ts` of the construct (`lib/index.ts`) and
 *   of the consumer surface (`lambda/events.ts`), compiled by `tsc -p tsconfig.build.json`;
 * - `dist/functions/<handler>/` and `dist/functions-traced/<handler>/`: the functions (one per
 *   `lambda/handlers/` entry the constructs use) without and with Powertools Tracer, bundled and minified
 *   with the stack's own esbuild options (`BUNDLING_WITHOUT_TRACER` and `BUNDLING` of `lib/function-bundling.ts`, through
 *   the same translation the benchmark uses), so that a consumer's `cdk synth` needs neither
 *   these sources nor esbuild nor Docker. The construct uses them when they are present.
 *
 * `npm run typecheck` type-checks the whole repository (tests, scripts, …) without emitting.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildLikeTheStack } from '../bench/build';
import { BUNDLING, BUNDLING_WITHOUT_TRACER } from '../lib/mms-postback-receiver';

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

/** The functions, by the directory name the construct looks for (the handler file's name). */
export const FUNCTIONS = ['ingest', 'query', 'publisher', 'status-unknown-sweep'] as const;

async function main(): Promise<void> {
  rmSync(DIST, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  // Two bundles per function: without Powertools Tracer (tracing off, the default) and with it.
  const variants = [
    { dir: 'functions', bundling: BUNDLING_WITHOUT_TRACER },
    { dir: 'functions-traced', bundling: BUNDLING },
  ];
  for (const { dir, bundling } of variants) {
    for (const name of FUNCTIONS) {
      const report = await buildLikeTheStack(bundling, path.join(ROOT, 'lambda', 'handlers', `${name}.ts`), path.join(DIST, dir, name));
      console.log(
        `build: dist/${dir}/${name}/index.mjs ${report.bytes.toLocaleString('en-US')} B (gzip ${report.gzipBytes.toLocaleString('en-US')} B), map ${report.mapBytes.toLocaleString('en-US')} B`,
      );
    }
  }
  const declarations = ['lib/index.d.ts', 'lambda/events.d.ts'].map((file) => path.join(DIST, file));
  for (const file of declarations) statSync(file);
  console.log('build: dist/lib (construct), dist/lambda/events (event types and schemas), dist/functions (prebuilt bundles)');
}

main().catch((error: unknown) => {
  console.error(`build: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
});
