import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';

/** Root of the repository: the functions' sources and the lock file live below it. */
const PROJECT_ROOT = path.join(__dirname, '..');

/**
 * Where the installed package keeps its prebuilt function bundles (`dist/functions/<name>/`,
 * without tracing, and `dist/functions-traced/<name>/`, written by `npm run build`, next to
 * the compiled construct in `dist/lib/`). Run from this
 * repository's sources there is no such directory, and the functions are bundled from
 * `lambda/handlers/` at synth instead, with the same esbuild options.
 */
const PREBUILT_FUNCTIONS = path.join(__dirname, '..', 'functions');
/** The prebuilt bundles with Powertools Tracer, for functions with tracing on (`dist/functions-traced/<name>/`). */
const PREBUILT_TRACED_FUNCTIONS = path.join(__dirname, '..', 'functions-traced');

const ENV_CREDENTIALS_ALIAS = `@aws-sdk/credential-provider-node=${path.join(PROJECT_ROOT, 'lambda', 'platform', 'env-credentials.ts')}`;

/**
 * The esbuild settings of the functions (see docs/performance.md for the measurements
 * behind them): ESM, minified, every dependency bundled (no externals: the query
 * function's AWS SDK client imports 2x faster bundled than from the runtime, and is the
 * version of package-lock.json; the ingest function uses no SDK at all), source maps
 * without sources content, `module` entry points first for better tree shaking.
 */
export const BUNDLING: nodejs.BundlingOptions = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node22',
  format: nodejs.OutputFormat.ESM,
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call `require` for Node built-ins; give ESM output one.
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  externalModules: [],
  forceDockerBundling: false,
  // Warnings and errors only: no size summary per bundle at every synth (`npm run build` and the bench print sizes).
  logLevel: nodejs.LogLevel.WARNING,
  // Lambda passes credentials in the environment: bundle only the environment provider, not
  // the whole default chain (see lambda/platform/env-credentials.ts; 127 KB smaller).
  esbuildArgs: { '--alias': [ENV_CREDENTIALS_ALIAS] },
};

/**
 * The esbuild settings of a function whose tracing is off: {@link BUNDLING} without Powertools
 * Tracer and the X-Ray SDK it loads (about 130 KB less to parse at every cold start). An alias
 * puts `lambda/platform/tracer-excluded.ts` in the Tracer's place (it refuses to run, so a
 * bundle without the Tracer never runs traced); the Tracer's middy middleware, which does not
 * load the Tracer, stays the package's own. The construct picks the bundle by the `tracing` prop.
 */
export const BUNDLING_WITHOUT_TRACER: nodejs.BundlingOptions = {
  ...BUNDLING,
  esbuildArgs: {
    '--alias': [
      ENV_CREDENTIALS_ALIAS,
      // The longer alias first: esbuild maps a package's subpaths with its alias, so the
      // middleware's import is kept pointing at the package itself.
      '@aws-lambda-powertools/tracer/middleware=@aws-lambda-powertools/tracer/middleware',
      `@aws-lambda-powertools/tracer=${path.join(PROJECT_ROOT, 'lambda', 'platform', 'tracer-excluded.ts')}`,
    ],
  },
};

/** The handler entries of `lambda/handlers/` (and the names of their prebuilt bundles). */
export type HandlerEntry = 'ingest' | 'query' | 'publisher' | 'status-unknown-sweep';

/** How {@link bundledFunction} builds a function's code. */
export interface BundledFunctionOptions {
  /** The handler entry, `lambda/handlers/<entry>.ts`. */
  readonly entry: HandlerEntry;
  /** Ship source maps (and keep `*.map` files of a prebuilt bundle). */
  readonly sourceMaps: boolean;
  /**
   * X-Ray tracing is on: the bundle with Powertools Tracer (`dist/functions-traced/`, or
   * {@link BUNDLING} from sources); off: the bundle without it (`dist/functions/`, or
   * {@link BUNDLING_WITHOUT_TRACER}).
   */
  readonly tracing: boolean;
}

/**
 * A function from its handler entry: the installed package ships the bundles prebuilt (no
 * esbuild, sources or Docker needed at the consumer's synth); this repository bundles from
 * sources.
 *
 * @example
 * const fn = bundledFunction(this, 'QueryFunction', { runtime, role, … }, { entry: 'query', sourceMaps: true, tracing: false });
 */
export function bundledFunction(
  scope: Construct,
  id: string,
  settings: Omit<lambda.FunctionProps, 'code' | 'handler'>,
  options: BundledFunctionOptions,
): lambda.Function {
  const prebuilt = path.join(options.tracing ? PREBUILT_TRACED_FUNCTIONS : PREBUILT_FUNCTIONS, options.entry);
  if (existsSync(path.join(prebuilt, 'index.mjs'))) {
    return new lambda.Function(scope, id, {
      ...settings,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(prebuilt, { exclude: options.sourceMaps ? [] : ['*.map'] }),
    });
  }
  return new nodejs.NodejsFunction(scope, id, {
    ...settings,
    entry: path.join(PROJECT_ROOT, 'lambda', 'handlers', `${options.entry}.ts`),
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
    bundling: { ...(options.tracing ? BUNDLING : BUNDLING_WITHOUT_TRACER), sourceMap: options.sourceMaps },
  });
}
