/**
 * Builds the ingest function the way the stack does: the `BUNDLING` options exported by
 * `lib/function-bundling.ts` translated to the esbuild JS API exactly as
 * `aws-cdk-lib/aws-lambda-nodejs` translates them to esbuild CLI flags (local bundling,
 * `esbuild --bundle <entry> --target=… --platform=node --format=… --outfile=…/index.mjs …`).
 * The only addition is `metafile: true`, which does not change the output.
 */
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, build, type Metafile } from 'esbuild';

export const PROJECT_ROOT = path.join(__dirname, '..');
export const INGEST_ENTRY = path.join(PROJECT_ROOT, 'lambda', 'handlers', 'ingest.ts');
export const PUBLISHER_ENTRY = path.join(PROJECT_ROOT, 'lambda', 'handlers', 'publisher.ts');

/** Options that only matter for Docker bundling or the asset, not for the esbuild output. */
const IGNORED = new Set([
  'forceDockerBundling',
  'dockerImage',
  'buildArgs',
  'environment',
  'network',
  'securityOpt',
  'bundlingFileAccess',
  'esbuildVersion',
  'volumes',
  'volumesFrom',
  'workingDirectory',
  'user',
  'command',
  'entrypoint',
  'assetHash',
  'assetHashType',
  'image',
  'platform',
  // aws-cdk-lib 2.x passes no --charset flag to esbuild (checked in Bundling.buildEsbuildArgs).
  'charset',
]);
/** Options translated below. */
const HANDLED = new Set([
  'minify',
  'sourceMap',
  'sourceMapMode',
  'sourcesContent',
  'target',
  'format',
  'mainFields',
  'banner',
  'footer',
  'externalModules',
  'loader',
  'define',
  'logLevel',
  'keepNames',
  'tsconfig',
  'inject',
  'metafile',
  'esbuildArgs',
]);

/**
 * Translates CDK `BundlingOptions` into esbuild `BuildOptions` (mirrors `Bundling.buildEsbuildArgs`
 * of aws-cdk-lib 2.x). Throws on options it does not know, so that a change in `lib/` is never
 * silently left out of the measurement.
 *
 * @example
 * const options = toEsbuildOptions(BUNDLING, INGEST_ENTRY, 'bench/results/bundle');
 */
export function toEsbuildOptions(bundling: BundlingOptions, entry: string, outdir: string): BuildOptions {
  const unknown = Object.keys(bundling).filter((k) => !HANDLED.has(k) && !IGNORED.has(k));
  if (unknown.length > 0) {
    throw new Error(
      `bench/build.ts does not know the bundling option(s) ${unknown.join(', ')} of lib/: teach toEsbuildOptions() about them`,
    );
  }
  const format = bundling.format ?? 'cjs';
  const sourceMapEnabled = bundling.sourceMapMode ?? bundling.sourceMap;
  const sourceMapMode = bundling.sourceMapMode ?? 'default';
  const sourcemap: BuildOptions['sourcemap'] = sourceMapEnabled
    ? sourceMapMode === 'default'
      ? true
      : (sourceMapMode as BuildOptions['sourcemap'])
    : false;
  // CDK: externals default to ['@aws-sdk/*'] for Node 18+ runtimes when externalModules is undefined.
  const external = bundling.externalModules ?? ['@aws-sdk/*'];
  const alias = aliasesOf(bundling.esbuildArgs);
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [path.relative(PROJECT_ROOT, entry)],
    bundle: true,
    target: bundling.target ?? 'node22',
    platform: 'node',
    format: format as BuildOptions['format'],
    outfile: path.join(outdir, format === 'esm' ? 'index.mjs' : 'index.js'),
    minify: bundling.minify ?? false,
    sourcemap,
    ...(bundling.sourcesContent === false ? { sourcesContent: false } : {}),
    external: [...external],
    ...(bundling.loader ? { loader: bundling.loader as BuildOptions['loader'] } : {}),
    ...(bundling.define ? { define: bundling.define } : {}),
    logLevel: (bundling.logLevel as BuildOptions['logLevel']) ?? 'warning',
    ...(bundling.keepNames ? { keepNames: true } : {}),
    ...(bundling.tsconfig ? { tsconfig: bundling.tsconfig } : {}),
    ...(bundling.banner ? { banner: { js: bundling.banner } } : {}),
    ...(bundling.footer ? { footer: { js: bundling.footer } } : {}),
    ...(bundling.mainFields ? { mainFields: [...bundling.mainFields] } : {}),
    ...(bundling.inject ? { inject: [...bundling.inject] } : {}),
    ...(alias ? { alias } : {}),
    metafile: true,
  };
}

/** The `--alias` entries of `esbuildArgs` (the only esbuild argument lib/ passes); others are refused. */
function aliasesOf(args: BundlingOptions['esbuildArgs']): Record<string, string> | undefined {
  if (!args) return undefined;
  const alias: Record<string, string> = {};
  for (const [flag, value] of Object.entries(args)) {
    if (flag !== '--alias')
      throw new Error(`bench/build.ts does not know the esbuild argument ${flag} of lib/: teach toEsbuildOptions() about it`);
    for (const item of Array.isArray(value) ? value : [String(value)]) {
      const eq = item.indexOf('=');
      alias[item.slice(0, eq)] = item.slice(eq + 1);
    }
  }
  return alias;
}

export interface Contributor {
  readonly name: string;
  readonly bytes: number;
}

export interface BundleReport {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly mapBytes: number;
  readonly buildMs: number;
  /** Bytes in the output per npm package (own code: `lambda/`). */
  readonly topPackages: readonly Contributor[];
  /** Bytes in the output per input file. */
  readonly topFiles: readonly Contributor[];
  /** The esbuild options used (JSON-safe). */
  readonly options: Record<string, unknown>;
}

/** `node_modules/@scope/name/...` → `@scope/name`; own code → its top directory. */
export function packageOf(input: string): string {
  const parts = input.split('/');
  const i = parts.lastIndexOf('node_modules');
  if (i >= 0) {
    const first = parts[i + 1] ?? '?';
    return first.startsWith('@') ? `${first}/${parts[i + 2] ?? '?'}` : first;
  }
  return parts.length > 1 ? `${parts[0]}/ (own code)` : input;
}

function top(map: Map<string, number>, n: number): Contributor[] {
  return [...map.entries()]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, n);
}

/** Contributors of one output file of a metafile. */
export function contributors(metafile: Metafile, outfile: string, n = 12): { topPackages: Contributor[]; topFiles: Contributor[] } {
  const output = metafile.outputs[outfile];
  if (!output) throw new Error(`metafile has no output ${outfile}: ${Object.keys(metafile.outputs).join(', ')}`);
  const byPackage = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const pkg = packageOf(input);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
    byFile.set(input, bytesInOutput);
  }
  return { topPackages: top(byPackage, n), topFiles: top(byFile, n) };
}

/**
 * Bundles `entry` with the stack's options into `outdir` (emptied first).
 *
 * @example
 * const report = await buildLikeTheStack(BUNDLING, INGEST_ENTRY, 'bench/results/bundle');
 */
export async function buildLikeTheStack(bundling: BundlingOptions, entry: string, outdir: string): Promise<BundleReport> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const options = toEsbuildOptions(bundling, entry, outdir);
  const started = performance.now();
  const result = await build(options);
  const buildMs = performance.now() - started;
  if (result.errors.length > 0) throw new Error(`esbuild failed: ${result.errors.map((e) => e.text).join('; ')}`);
  const file = options.outfile as string;
  const metafile = result.metafile as Metafile;
  const { topPackages, topFiles } = contributors(metafile, path.relative(PROJECT_ROOT, file));
  const mapFile = `${file}.map`;
  let mapBytes = 0;
  try {
    mapBytes = statSync(mapFile).size;
  } catch {
    mapBytes = 0;
  }
  const code = readFileSync(file);
  return {
    file,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    mapBytes,
    buildMs,
    topPackages,
    topFiles,
    options: JSON.parse(JSON.stringify({ ...options, absWorkingDir: '<repo>', outfile: path.relative(PROJECT_ROOT, file) })),
  };
}
