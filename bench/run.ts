/**
 * `npm run bench [-- --quick] [-- --json FILE] [-- --enforce]`: builds the ingest function
 * exactly as the stack bundles it and measures, on this machine, bundle size, cold start,
 * warm CPU/latency and AWS requests per postback on the sender's path; then the whole path:
 * the publisher function (bundled as the stack does) fed from the table's stream by the local
 * event source mapping (`local/stream-poller.ts`) at the configured batch size, its CPU and
 * PutEvents requests per postback; and, side by side in the same run, a conventional
 * middy + `@middy/validator` + DocumentClient function (`bench/conventional-handler.ts`,
 * publishing inline) bundled with the same options. See docs/performance.md.
 *
 * Exit codes: 0 ok; 1 a wrong answer, a lost/extra event, a request-count or a cost budget missed
 * (always); 2 a size or timing budget missed (only with --enforce); 3 the benchmark broke.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULTS, ingestEnvironment, publisherEnvironment } from '../lambda/config-contract';
import { PUBLISHER_STREAM_FILTER } from '../lambda/publisher/stream-filter';
import { BUNDLING, BUNDLING_WITHOUT_TRACER } from '../lib/mms-postback-receiver';
import { UsageError } from '../local/cli';
import { ensureTable, localDynamoDbClient, startDynamoDbLocal } from '../local/dynamodb-local';
import { startEventBridgeLocal } from '../local/eventbridge-local';
import { StreamPoller } from '../local/stream-poller';
import { type SecretsManagerLocal, startSecretsManagerLocal } from '../stand-ins/secrets-manager';
import { type BundleReport, buildLikeTheStack, INGEST_ENTRY, PROJECT_ROOT, PUBLISHER_ENTRY } from './build';
import { answerOf, BenchError, Child, expectType } from './child';
import { type CostReport, formatCostReport, repriceWithPublisher, runCostReport } from './cost';
import { type CountingProxy, startCountingProxy } from './counting-proxy';
import { BENCH_SECRET, countScenario, distinctPostbacks, example, postbackEvent } from './events';
import { BENCH_USAGE, parseBenchArgs } from './options';
import { round, type Summary, summarize } from './stats';

/** Budgets of the ingest function on our machines (the handler file: read strictly as 300,000 bytes). */
export const BUDGETS = {
  /** The ingest handler file (index.mjs) as the stack bundles it with tracing off. */
  bundleBytes: 300_000,
  /** AWS requests on the sender's path: one DynamoDB transaction per new postback. */
  inOrderRequests: 1,
  duplicateRequests: 1,
} as const;

/**
 * Against the conventional function, measured in the same run (cold starts and warm loops
 * interleaved): ours over theirs. Only same-run ratios count on a shared machine.
 */
export const COMPARISON_BUDGETS = {
  /** Module init (medians). */
  initRatio: 0.45,
  /** Module init plus first invocation (medians). */
  coldRatio: 0.5,
  /** CPU per warm new postback. */
  cpuRatio: 0.8,
  /** CPU per warm duplicate. */
  duplicateCpuRatio: 0.8,
  /** CPU of the whole path per postback (ingest + the publisher's share) over theirs, which publishes inline. */
  wholePathCpuRatio: 1,
} as const;

const CONVENTIONAL_ENTRY = path.join(PROJECT_ROOT, 'bench', 'conventional-handler.ts');

// ---------------------------------------------------------------------------------------------

interface StandIns {
  bus: Awaited<ReturnType<typeof startEventBridgeLocal>>;
  ddbProxy: CountingProxy;
  secrets: SecretsManagerLocal;
  env: NodeJS.ProcessEnv;
  /** The publisher's environment (the same Lambda variables, its own settings). */
  publisherEnv: NodeJS.ProcessEnv;
  /** DynamoDB Local itself: the stream is read there (by Lambda in AWS, not by a function). */
  ddbEndpoint: string;
  tableName: string;
  close(): Promise<void>;
}

async function startStandIns(): Promise<StandIns> {
  const tableName = 'bench-postbacks';
  const ddb = await startDynamoDbLocal();
  try {
    const admin = localDynamoDbClient(ddb.endpoint);
    await ensureTable(admin, tableName);
    admin.destroy();
    const ddbProxy = await startCountingProxy(ddb.endpoint);
    const bus = await startEventBridgeLocal();
    const secrets = await startSecretsManagerLocal(BENCH_SECRET);
    // The function's environment as the stack builds it (lambda/config-contract.ts), plus what
    // Lambda itself provides; endpoints only through AWS_ENDPOINT_URL_*.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      TZ: 'UTC',
      LANG: 'en_US.UTF-8',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_SESSION_TOKEN: 'bench',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: 'bench-ingest',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_ENDPOINT_URL_DYNAMODB: ddbProxy.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      // The construct's defaults (the status-unknown wait too: its index's writes are part of the cost).
      ...ingestEnvironment({ tableName, secret: { arn: secrets.arn } }),
      // Read only by the conventional function (bench/conventional-handler.ts), which publishes inline.
      EVENT_BUS_NAME: 'bench-bus',
      CONVENTIONAL_SECRET: BENCH_SECRET,
    };
    const publisherEnv: NodeJS.ProcessEnv = {
      ...Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('AWS_') || ['PATH', 'TZ', 'LANG'].includes(name))),
      AWS_LAMBDA_FUNCTION_NAME: 'bench-publisher',
      ...publisherEnvironment({ eventBusName: 'bench-bus' }),
    };
    return {
      bus,
      ddbProxy,
      secrets,
      env,
      publisherEnv,
      ddbEndpoint: ddb.endpoint,
      tableName,
      async close() {
        await Promise.allSettled([bus.close(), ddbProxy.close(), secrets.close()]);
        await ddb.stop();
      },
    };
  } catch (error) {
    await ddb.stop();
    throw error;
  }
}

function snapshot(s: StandIns) {
  return {
    ddb: s.ddbProxy.total(),
    ddbOps: s.ddbProxy.counts(),
    eb: s.bus.requestCount,
    sm: s.secrets.requestCount(),
    events: s.bus.events.length,
  };
}

function opsDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [op, n] of Object.entries(after)) {
    const d = n - (before[op] ?? 0);
    if (d > 0) out[op] = d;
  }
  return out;
}

interface StepResult {
  name: string;
  expected: string;
  answer: string;
  latest?: unknown;
  dynamodb: number;
  eventbridge: number;
  secretsManager: number;
  total: number;
  operations: Record<string, number>;
  events: number;
  maxRequests?: number;
  ok: boolean;
  problems: string[];
}

async function runCounts(bundle: string, s: StandIns, execArgv: string[], prefix: string): Promise<StepResult[]> {
  const { child, ready } = Child.start(bundle, s.env, execArgv);
  try {
    expectType(await ready, 'ready');
    // Warm the container first: secret cached, connections open (the budget is per warm postback).
    for (const event of distinctPostbacks(`${prefix}-warmup`, 3)) {
      const { kind } = answerOf(expectType(await child.request({ cmd: 'invoke', event }), 'invoke').response);
      if (kind !== 'accepted') throw new BenchError(`warm-up postback answered ${kind}`);
    }
    const results: StepResult[] = [];
    for (const step of countScenario(prefix)) {
      const before = snapshot(s);
      const answer = expectType(await child.request({ cmd: 'invoke', event: step.event }), 'invoke');
      const after = snapshot(s);
      const { kind, body } = answerOf(answer.response);
      const expected = typeof step.expect === 'number' ? `status ${step.expect}` : step.expect;
      const dynamodb = after.ddb - before.ddb;
      const eventbridge = after.eb - before.eb;
      const secretsManager = after.sm - before.sm;
      const total = dynamodb + eventbridge + secretsManager;
      const events = after.events - before.events;
      const problems: string[] = [];
      if (kind !== expected) problems.push(`answered ${kind} ${JSON.stringify(body)}, expected ${expected}`);
      if (step.expect === 'accepted' && step.latest !== undefined && body.latest !== step.latest)
        problems.push(`latest=${String(body.latest)}, expected ${step.latest}`);
      // The sender's path publishes nothing: the event follows from the stream (the whole-path run).
      if (events !== 0 || eventbridge !== 0) problems.push(`${events} events published on the sender's path, expected none`);
      if (step.maxRequests !== undefined && total > step.maxRequests) problems.push(`${total} AWS requests, budget ${step.maxRequests}`);
      results.push({
        name: step.name,
        expected,
        answer: kind,
        latest: body.latest,
        dynamodb,
        eventbridge,
        secretsManager,
        total,
        operations: {
          ...opsDelta(before.ddbOps, after.ddbOps),
          ...(eventbridge ? { PutEvents: eventbridge } : {}),
          ...(secretsManager ? { GetSecretValue: secretsManager } : {}),
        },
        events,
        ...(step.maxRequests !== undefined ? { maxRequests: step.maxRequests } : {}),
        ok: problems.length === 0,
        problems,
      });
    }
    return results;
  } finally {
    await child.stop();
  }
}

interface ColdRun {
  bootMs: number;
  initMs: number;
  firstInvokeMs: number;
  firstInvokeCpuMs: number;
  requests: number;
  secretRequests: number;
}

/** One cold start: a fresh process loads the bundle and answers one new postback. */
async function coldOnce(bundle: string, s: StandIns, execArgv: string[], name: string): Promise<{ run: ColdRun; wrong?: string }> {
  const before = snapshot(s);
  const { child, ready } = Child.start(bundle, s.env, execArgv);
  try {
    const r = expectType(await ready, 'ready');
    const inv = expectType(await child.request({ cmd: 'invoke', event: postbackEvent(example('n101', name)) }), 'invoke');
    const { kind, body } = answerOf(inv.response);
    const after = snapshot(s);
    return {
      run: {
        bootMs: r.bootMs,
        initMs: r.initMs,
        firstInvokeMs: inv.ms,
        firstInvokeCpuMs: inv.cpuUs / 1000,
        requests: after.ddb - before.ddb + (after.eb - before.eb) + (after.sm - before.sm),
        secretRequests: after.sm - before.sm,
      },
      ...(kind === 'accepted' ? {} : { wrong: `${name}: ${kind} ${JSON.stringify(body)}` }),
    };
  } finally {
    await child.stop();
  }
}

interface ColdResult {
  runs: ColdRun[];
  wrong: string[];
}

/**
 * Cold starts of several bundles, interleaved run by run (A, B, A, B, …), so that a change in
 * the machine's load during the run falls on all of them alike. One unrecorded run of each
 * first: the bundle in the page cache, DynamoDB Local's JIT warm.
 */
async function runColdInterleaved(
  bundles: readonly { file: string; prefix: string }[],
  s: StandIns,
  execArgv: string[],
  runs: number,
): Promise<ColdResult[]> {
  const results = bundles.map((): ColdResult => ({ runs: [], wrong: [] }));
  for (let i = -1; i < runs; i++) {
    for (const [k, bundle] of bundles.entries()) {
      const result = results[k] as ColdResult;
      const { run, wrong } = await coldOnce(bundle.file, s, execArgv, `${bundle.prefix}-cold-${i + 1}`);
      if (wrong !== undefined) result.wrong.push(`cold run ${i + 1}: ${wrong}`);
      if (i >= 0) result.runs.push(run);
    }
  }
  return results;
}

interface WarmResult {
  postbacks: number;
  latency: Summary;
  cpuUsPerPostback: number;
  /** CPU per duplicate (the same postbacks sent again), warm. */
  duplicateCpuUsPerPostback: number;
  duplicates: number;
  dynamoDbLocalMsPerPostback: number;
  requestsPerPostback: { dynamodb: number; eventbridge: number; secretsManager: number };
  logBytesPerPostback: number;
  heapUsedMB: number;
  wrong: string[];
}

/** Postbacks per loop of the interleaved warm runs. */
const WARM_CHUNK = 250;

/** One function's side of the interleaved warm runs: its process, its event files, its sums. */
class WarmSide {
  readonly wrong: string[] = [];
  readonly latencies: number[] = [];
  cpuUs = 0;
  duplicateCpuUs = 0;
  duplicates = 0;
  accepted = 0;
  ddb = 0;
  eb = 0;
  sm = 0;
  published = 0;
  upstreamMs = 0;
  logBytes = 0;
  heapUsed = 0;
  readonly chunks: string[] = [];
  private constructor(
    readonly prefix: string,
    readonly child: Child,
    readonly publishesInline: boolean,
  ) {}

  static async start(bundle: string, s: StandIns, execArgv: string[], prefix: string, warmup: number, count: number, inline: boolean) {
    const dir = path.join(PROJECT_ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const { child, ready } = Child.start(bundle, s.env, execArgv);
    const side = new WarmSide(prefix, child, inline);
    expectType(await ready, 'ready');
    const events = distinctPostbacks(`${prefix}-warm`, count);
    for (let i = 0; i * WARM_CHUNK < count; i++) {
      const file = path.join(dir, `events-warm-${prefix}-${i}.json`);
      writeFileSync(file, JSON.stringify(events.slice(i * WARM_CHUNK, (i + 1) * WARM_CHUNK)));
      side.chunks.push(file);
    }
    if (warmup > 0) {
      const warmupFile = path.join(dir, `events-warmup-${prefix}.json`);
      writeFileSync(warmupFile, JSON.stringify(distinctPostbacks(`${prefix}-warmup-loop`, warmup)));
      const w = expectType(await child.request({ cmd: 'loop', file: warmupFile }), 'loop');
      for (const x of w.wrong) side.wrong.push(`warm-up #${x.index}: ${x.response.statusCode} ${x.response.body}`);
    }
    return side;
  }

  /** One chunk of new postbacks (`accepted`) or of the same postbacks again (`duplicate`). */
  async loop(s: StandIns, chunk: number, expect: 'accepted' | 'duplicate'): Promise<void> {
    const before = snapshot(s);
    const upstreamBefore = s.ddbProxy.upstreamMs();
    const logBefore = this.child.stdoutBytes;
    const loop = expectType(await this.child.request({ cmd: 'loop', file: this.chunks[chunk], expect }), 'loop');
    const after = snapshot(s);
    const n = loop.latencies.length;
    for (const x of loop.wrong)
      this.wrong.push(`warm ${expect} #${chunk * WARM_CHUNK + x.index}: ${x.response.statusCode} ${x.response.body}`);
    if ((loop.answers[expect] ?? 0) !== n)
      this.wrong.push(`warm: ${loop.answers[expect] ?? 0} of ${n} ${expect} (${JSON.stringify(loop.answers)})`);
    if (expect === 'duplicate') {
      this.duplicateCpuUs += loop.cpuUs;
      this.duplicates += n;
      if (after.events !== before.events) this.wrong.push(`warm: ${after.events - before.events} events published for duplicates`);
      return;
    }
    this.latencies.push(...loop.latencies);
    this.cpuUs += loop.cpuUs;
    this.accepted += n;
    this.ddb += after.ddb - before.ddb;
    this.eb += after.eb - before.eb;
    this.sm += after.sm - before.sm;
    this.published += after.events - before.events;
    this.upstreamMs += s.ddbProxy.upstreamMs() - upstreamBefore;
    this.logBytes += this.child.stdoutBytes - logBefore;
    this.heapUsed = loop.heapUsed;
  }

  result(): WarmResult {
    const count = this.accepted;
    // Ours publishes from the stream (measured by runPublisher); the conventional function inline.
    const expectedEvents = this.publishesInline ? count : 0;
    if (this.published !== expectedEvents)
      this.wrong.push(`warm: ${this.published} events published for ${count} accepted postbacks on the sender's path`);
    return {
      postbacks: count,
      latency: summarize(this.latencies),
      cpuUsPerPostback: this.cpuUs / count,
      duplicateCpuUsPerPostback: this.duplicateCpuUs / (this.duplicates || 1),
      duplicates: this.duplicates,
      dynamoDbLocalMsPerPostback: this.upstreamMs / count,
      requestsPerPostback: { dynamodb: this.ddb / count, eventbridge: this.eb / count, secretsManager: this.sm / count },
      logBytesPerPostback: this.logBytes / count,
      heapUsedMB: this.heapUsed / 1024 / 1024,
      wrong: this.wrong,
    };
  }
}

/**
 * Warm CPU and latency of our function and the conventional one, interleaved: both processes
 * stay up (one Lambda container each), and they take turns, {@link WARM_CHUNK} postbacks at a
 * time, first with new postbacks (distinct tracking-ids), then with the same postbacks again
 * (duplicates), so that a change in the machine's load falls on both alike.
 */
async function runWarmInterleaved(
  ours: string,
  conventional: string,
  s: StandIns,
  execArgv: string[],
  prefix: string,
  warmup: number,
  count: number,
): Promise<{ ours: WarmResult; conventional: WarmResult }> {
  const a = await WarmSide.start(ours, s, execArgv, prefix, warmup, count, false);
  try {
    const b = await WarmSide.start(conventional, s, execArgv, `${prefix}-conventional`, warmup, count, true);
    try {
      for (const expect of ['accepted', 'duplicate'] as const) {
        for (let chunk = 0; chunk < a.chunks.length; chunk++) {
          await a.loop(s, chunk, expect);
          await b.loop(s, chunk, expect);
        }
      }
      return { ours: a.result(), conventional: b.result() };
    } finally {
      await b.child.stop();
    }
  } finally {
    await a.child.stop();
  }
}

interface PublisherResult {
  /** History entries the mapping delivered (every postback stored during the run). */
  postbacks: number;
  invocations: number;
  putEvents: number;
  events: number;
  cpuUsPerPostback: number;
  requestsPerPostback: number;
  invocationsPerPostback: number;
  batchSize: number;
  wrong: string[];
}

/**
 * The whole path's second half: the publisher bundle, fed from the table's stream (every
 * history entry the run stored, from TRIM_HORIZON) by the local event source mapping with the
 * construct's filter, batch size and window; its CPU, invocations and PutEvents per postback.
 */
async function runPublisher(bundle: string, s: StandIns, execArgv: string[]): Promise<PublisherResult> {
  const { child, ready } = Child.start(bundle, s.publisherEnv, execArgv);
  const wrong: string[] = [];
  let cpuUs = 0;
  const before = snapshot(s);
  const poller = new StreamPoller({
    endpoint: s.ddbEndpoint,
    tableName: s.tableName,
    filters: [PUBLISHER_STREAM_FILTER],
    batchSize: DEFAULTS.publisherBatchSize,
    maxBatchingWindowMs: DEFAULTS.publisherMaxBatchingWindowSeconds * 1000,
    retryAttempts: DEFAULTS.publisherRetryAttempts,
    timeoutMs: DEFAULTS.publisherTimeoutSeconds * 1000,
    handler: async (event) => {
      const answer = expectType(await child.request({ cmd: 'invoke', event }), 'invoke');
      cpuUs += answer.cpuUs;
      return answer.response as never;
    },
  });
  try {
    expectType(await ready, 'ready');
    await poller.start();
    // The stream is read to its end when two polls in a row add nothing (and at least one record came).
    let last = -1;
    for (let quiet = 0, i = 0; i < 600 && quiet < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const delivered = poller.stats.recordsDelivered;
      quiet = delivered > 0 && delivered === last ? quiet + 1 : 0;
      last = delivered;
    }
  } finally {
    await poller.stop();
    await child.stop();
  }
  const after = snapshot(s);
  const stats = poller.stats;
  const postbacks = stats.recordsDelivered - stats.recordsRedelivered;
  const events = after.events - before.events;
  if (events !== postbacks) wrong.push(`publisher: ${events} events for ${postbacks} history entries`);
  if (stats.recordsRedelivered > 0 || stats.recordsDiscarded > 0)
    wrong.push(`publisher: ${stats.recordsRedelivered} records re-delivered, ${stats.recordsDiscarded} given up (no fault was injected)`);
  const putEvents = after.eb - before.eb;
  return {
    postbacks,
    invocations: stats.invocations,
    putEvents,
    events,
    cpuUsPerPostback: cpuUs / (postbacks || 1),
    requestsPerPostback: putEvents / (postbacks || 1),
    invocationsPerPostback: stats.invocations / (postbacks || 1),
    batchSize: DEFAULTS.publisherBatchSize,
    wrong,
  };
}

// ---------------------------------------------------------------------------------------------

function machine() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) cpuModel = m[1].trim();
  } catch {
    // not Linux
  }
  return {
    nproc: os.availableParallelism(),
    cpuModel,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    memoryGB: round(os.totalmem() / 2 ** 30, 1),
  };
}

const fmt = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const kb = (b: number) => `${b.toLocaleString('en-US')} B (${(b / 1024).toFixed(1)} KiB)`;

interface Verdict {
  name: string;
  value: number | string;
  budget: number | string;
  ok: boolean;
  timing: boolean;
}

async function main(): Promise<number> {
  const opts = parseBenchArgs(process.argv.slice(2));
  if (opts === 'help') {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  if (!opts.quick && (opts.coldRuns < 15 || opts.warm < 2000))
    process.stdout.write('note: fewer runs than the budgets are set for (15 cold, 2000 warm)\n');
  // Our machines run Node 20; the SDK's warning about it is noise here (the function runs on Node 22).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const started = performance.now();
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const host = machine();
  const execArgv = opts.sourceMaps ? ['--enable-source-maps'] : [];
  process.stdout.write(`mms-postbacks bench (${opts.quick ? 'quick' : 'full'}) on ${host.nproc} x ${host.cpuModel}, Node ${host.node}\n`);

  const outdir = path.join(PROJECT_ROOT, 'bench', 'results', 'bundle');
  // Tracing is off in the bench's environment: the bundles the construct picks then, without the tracer.
  const bundle = await buildLikeTheStack(BUNDLING_WITHOUT_TRACER, INGEST_ENTRY, outdir);
  process.stdout.write(`built ${path.relative(PROJECT_ROOT, bundle.file)} in ${fmt(bundle.buildMs, 0)} ms\n`);
  // The conventional function: the same esbuild options, without the environment-only credential alias.
  const conventionalBundle = await buildLikeTheStack(
    { ...BUNDLING, esbuildArgs: undefined },
    CONVENTIONAL_ENTRY,
    path.join(PROJECT_ROOT, 'bench', 'results', 'conventional'),
  );
  process.stdout.write(`built ${path.relative(PROJECT_ROOT, conventionalBundle.file)} in ${fmt(conventionalBundle.buildMs, 0)} ms\n`);
  const publisherBundle = await buildLikeTheStack(
    BUNDLING_WITHOUT_TRACER,
    PUBLISHER_ENTRY,
    path.join(PROJECT_ROOT, 'bench', 'results', 'publisher'),
  );
  process.stdout.write(`built ${path.relative(PROJECT_ROOT, publisherBundle.file)} in ${fmt(publisherBundle.buildMs, 0)} ms\n`);

  const s = await startStandIns();
  let counts: StepResult[] = [];
  let cold: ColdResult = { runs: [], wrong: [] };
  let warm: WarmResult | undefined;
  let conventionalCold: ColdResult = { runs: [], wrong: [] };
  let conventionalWarm: WarmResult | undefined;
  let cost: CostReport | undefined;
  let publisher: PublisherResult | undefined;
  try {
    counts = await runCounts(bundle.file, s, execArgv, `${prefix}-count`);
    cost = await runCostReport({
      bundle: bundle.file,
      execArgv,
      env: s.env,
      tableName: String(s.env.TABLE_NAME),
      bus: s.bus,
      prefix: `${prefix}-cost`,
    });
    // Cold starts and warm loops alternate between the two functions, so that a change in the
    // machine's load during the run falls on both.
    if (opts.coldRuns > 0) {
      [cold, conventionalCold] = (await runColdInterleaved(
        [
          { file: bundle.file, prefix },
          { file: conventionalBundle.file, prefix: `${prefix}-conventional` },
        ],
        s,
        execArgv,
        opts.coldRuns,
      )) as [ColdResult, ColdResult];
    }
    if (opts.warm > 0) {
      ({ ours: warm, conventional: conventionalWarm } = await runWarmInterleaved(
        bundle.file,
        conventionalBundle.file,
        s,
        execArgv,
        prefix,
        opts.warmup,
        opts.warm,
      ));
    }
    // The whole path: everything stored so far, from the stream, through the publisher bundle.
    publisher = await runPublisher(publisherBundle.file, s, execArgv);
    if (cost) cost = repriceWithPublisher(cost, publisher.invocationsPerPostback);
    if (opts.profile) {
      const dir = path.join(PROJECT_ROOT, 'bench', 'results', 'profiles');
      mkdirSync(dir, { recursive: true });
      const profArgs = [...execArgv, '--cpu-prof', '--cpu-prof-dir', dir];
      await runColdInterleaved([{ file: bundle.file, prefix: `${prefix}-prof` }], s, profArgs, 1);
      await runWarmInterleaved(bundle.file, conventionalBundle.file, s, profArgs, `${prefix}-prof`, 50, 500);
      process.stdout.write(`CPU profiles (one cold start, one warm loop of 500) written to ${path.relative(PROJECT_ROOT, dir)}/\n`);
    }
  } finally {
    await s.close();
  }

  const init = summarize(cold.runs.map((r) => r.initMs));
  const first = summarize(cold.runs.map((r) => r.firstInvokeMs));
  const firstCpu = summarize(cold.runs.map((r) => r.firstInvokeCpuMs));
  const boot = summarize(cold.runs.map((r) => r.bootMs));
  const figure = (f: 'inOrder' | 'duplicate' | 'outOfOrder') => {
    const i = countScenario('x').findIndex((st) => st.figure === f);
    return counts[i];
  };
  const inOrder = figure('inOrder');
  const duplicate = figure('duplicate');
  const outOfOrder = figure('outOfOrder');

  const verdicts: Verdict[] = [
    {
      name: 'bundle size (every dependency bundled)',
      value: bundle.bytes,
      budget: BUDGETS.bundleBytes,
      ok: bundle.bytes <= BUDGETS.bundleBytes,
      timing: true,
    },
    {
      name: 'AWS requests, new in-order',
      value: inOrder?.total ?? Number.NaN,
      budget: BUDGETS.inOrderRequests,
      ok: (inOrder?.total ?? 99) <= BUDGETS.inOrderRequests,
      timing: false,
    },
    {
      name: 'AWS requests, duplicate',
      value: duplicate?.total ?? Number.NaN,
      budget: BUDGETS.duplicateRequests,
      ok: (duplicate?.total ?? 99) <= BUDGETS.duplicateRequests,
      timing: false,
    },
  ];
  // ---- side by side with the conventional function
  const conventionalInit = summarize(conventionalCold.runs.map((r) => r.initMs));
  const conventionalFirst = summarize(conventionalCold.runs.map((r) => r.firstInvokeMs));
  const bundleRatio = bundle.bytes / conventionalBundle.bytes;
  const initRatio = init.median / conventionalInit.median;
  const coldRatio = (init.median + first.median) / (conventionalInit.median + conventionalFirst.median);
  const cpuRatio = warm && conventionalWarm ? warm.cpuUsPerPostback / conventionalWarm.cpuUsPerPostback : Number.NaN;
  const duplicateCpuRatio =
    warm && conventionalWarm ? warm.duplicateCpuUsPerPostback / conventionalWarm.duplicateCpuUsPerPostback : Number.NaN;
  const wholePathCpuRatio =
    warm && conventionalWarm && publisher
      ? (warm.cpuUsPerPostback + publisher.cpuUsPerPostback) / conventionalWarm.cpuUsPerPostback
      : Number.NaN;
  const ratioVerdict = (name: string, value: number, budget: number): Verdict => ({
    name,
    value: round(value, 3),
    budget: `<= ${budget}`,
    ok: value <= budget,
    timing: true,
  });
  if (!opts.quick && cold.runs.length > 0 && conventionalCold.runs.length > 0) {
    verdicts.push(
      ratioVerdict('module init / conventional', initRatio, COMPARISON_BUDGETS.initRatio),
      ratioVerdict('init + first invocation / conv.', coldRatio, COMPARISON_BUDGETS.coldRatio),
    );
  }
  if (!opts.quick && warm && conventionalWarm) {
    verdicts.push(
      ratioVerdict('CPU per new postback / conv.', cpuRatio, COMPARISON_BUDGETS.cpuRatio),
      ratioVerdict('CPU per duplicate / conv.', duplicateCpuRatio, COMPARISON_BUDGETS.duplicateCpuRatio),
    );
    if (publisher) verdicts.push(ratioVerdict('whole path CPU / conv.', wholePathCpuRatio, COMPARISON_BUDGETS.wholePathCpuRatio));
  }

  // ---- report
  const lines: string[] = [];
  const p = (l = '') => lines.push(l);
  p();
  p(`Machine: ${host.nproc} CPUs, ${host.cpuModel}, ${host.memoryGB} GB, Node ${host.node} (${host.platform})`);
  p(
    `Runner: node ${execArgv.join(' ') || '(no flags)'} bench/runner.mjs <bundle>; secret from a Secrets Manager stand-in (POSTBACK_SECRET_ARN)`,
  );
  p();
  p('Bundle (esbuild, options from lib BUNDLING_WITHOUT_TRACER: tracing is off here)');
  p(`  ${path.relative(PROJECT_ROOT, bundle.file)}: ${kb(bundle.bytes)}, gzip ${kb(bundle.gzipBytes)}, source map ${kb(bundle.mapBytes)}`);
  p('  top packages:');
  for (const c of bundle.topPackages.slice(0, 10))
    p(`    ${c.name.padEnd(48)} ${String(c.bytes).padStart(9)} B  ${((100 * c.bytes) / bundle.bytes).toFixed(1).padStart(5)}%`);
  p('  top files:');
  for (const c of bundle.topFiles.slice(0, 8)) p(`    ${c.name.slice(-70).padEnd(70)} ${String(c.bytes).padStart(9)} B`);
  p();
  if (cold.runs.length > 0) {
    p(`Cold start (${cold.runs.length} fresh processes)          median      min      p90      max   (ms)`);
    const row = (name: string, x: Summary) =>
      p(`  ${name.padEnd(38)} ${fmt(x.median).padStart(7)} ${fmt(x.min).padStart(8)} ${fmt(x.p90).padStart(8)} ${fmt(x.max).padStart(8)}`);
    row('node bootstrap (before the import)', boot);
    row('module init (import of the bundle)', init);
    row('first invocation (wall)', first);
    row('first invocation (CPU)', firstCpu);
    p(
      `  AWS requests of init and first invocation: ${cold.runs.map((r) => r.requests).join(', ')} (of which GetSecretValue, fetched during init: ${cold.runs.map((r) => r.secretRequests).join(', ')})`,
    );
    p();
  }
  if (warm) {
    p(`Warm (${warm.postbacks} postbacks, distinct tracking-ids, after ${opts.warmup} warm-up; sequential like one Lambda container)`);
    p(
      `  latency p50 ${fmt(warm.latency.median, 2)} ms, p99 ${fmt(warm.latency.p99, 2)} ms, mean ${fmt(warm.latency.mean, 2)} ms, max ${fmt(warm.latency.max, 2)} ms`,
    );
    p(`  of which DynamoDB Local (upstream of the counting proxy): ${fmt(warm.dynamoDbLocalMsPerPostback, 2)} ms per postback`);
    p(
      `  CPU of the function process: ${fmt(warm.cpuUsPerPostback, 0)} us per new postback, ${fmt(warm.duplicateCpuUsPerPostback, 0)} us per duplicate (${warm.duplicates} sent again)`,
    );
    p(
      `  requests per postback: DynamoDB ${fmt(warm.requestsPerPostback.dynamodb, 2)}, EventBridge ${fmt(warm.requestsPerPostback.eventbridge, 2)}, Secrets Manager ${fmt(warm.requestsPerPostback.secretsManager, 2)}; log output ${fmt(warm.logBytesPerPostback, 0)} B; heap ${fmt(warm.heapUsedMB, 1)} MB`,
    );
    p();
  }
  p('Conventional function (bench/conventional-handler.ts: middy + @middy/validator + DocumentClient, default SDK clients)');
  p(`  ${path.relative(PROJECT_ROOT, conventionalBundle.file)}: ${kb(conventionalBundle.bytes)}, gzip ${kb(conventionalBundle.gzipBytes)}`);
  p(
    `  top packages: ${conventionalBundle.topPackages
      .slice(0, 6)
      .map((c) => `${c.name} ${c.bytes} B`)
      .join(', ')}`,
  );
  if (conventionalCold.runs.length > 0) {
    p(
      `  cold (${conventionalCold.runs.length} fresh processes, medians): module init ${fmt(conventionalInit.median)} ms, first invocation ${fmt(conventionalFirst.median)} ms`,
    );
  }
  if (conventionalWarm) {
    p(
      `  warm (${conventionalWarm.postbacks} postbacks): CPU ${fmt(conventionalWarm.cpuUsPerPostback, 0)} us per new postback, ${fmt(conventionalWarm.duplicateCpuUsPerPostback, 0)} us per duplicate, latency p50 ${fmt(conventionalWarm.latency.median, 2)} ms; requests per postback: DynamoDB ${fmt(conventionalWarm.requestsPerPostback.dynamodb, 2)}, EventBridge ${fmt(conventionalWarm.requestsPerPostback.eventbridge, 2)}`,
    );
  }
  p(
    `  ours / conventional: bundle ${fmt(bundleRatio, 3)}, module init ${fmt(initRatio, 3)}, init + first invocation ${fmt(coldRatio, 3)}, CPU per new postback ${fmt(cpuRatio, 3)}, per duplicate ${fmt(duplicateCpuRatio, 3)}, whole path ${fmt(wholePathCpuRatio, 3)}`,
  );
  p();
  if (publisher) {
    const ingestCpu = warm ? warm.cpuUsPerPostback : Number.NaN;
    p(
      `Whole path per postback (the publisher bundle fed from the table's stream by the local event source mapping, batch size ${publisher.batchSize}, window ${DEFAULTS.publisherMaxBatchingWindowSeconds} s)`,
    );
    p(
      `  publisher: ${publisher.postbacks} history entries in ${publisher.invocations} invocations, ${publisher.putEvents} PutEvents, ${publisher.events} events`,
    );
    p(
      `  per postback: publisher CPU ${fmt(publisher.cpuUsPerPostback, 0)} us, ${fmt(publisher.invocationsPerPostback, 3)} invocations, ${fmt(publisher.requestsPerPostback, 3)} PutEvents`,
    );
    p(
      `  ours:         sender's path ${inOrder?.total ?? 'n/a'} request (DynamoDB ${inOrder?.dynamodb ?? 'n/a'}, EventBridge ${inOrder?.eventbridge ?? 'n/a'}); whole path ${fmt((inOrder?.total ?? Number.NaN) + publisher.requestsPerPostback, 2)} requests, CPU ${fmt(ingestCpu + publisher.cpuUsPerPostback, 0)} us (ingest ${fmt(ingestCpu, 0)} + publisher ${fmt(publisher.cpuUsPerPostback, 0)})`,
    );
    if (conventionalWarm) {
      const c = conventionalWarm.requestsPerPostback;
      p(
        `  conventional: sender's path = whole path ${fmt(c.dynamodb + c.eventbridge + c.secretsManager, 2)} requests (DynamoDB ${fmt(c.dynamodb, 2)}, EventBridge ${fmt(c.eventbridge, 2)}), CPU ${fmt(conventionalWarm.cpuUsPerPostback, 0)} us (publishes inline)`,
      );
    }
    p();
  }
  p("AWS requests per postback on the sender's path (counted at the stand-ins, warm container)");
  for (const r of counts) {
    const ops = Object.entries(r.operations)
      .map(([k, v]) => `${k}${v > 1 ? `x${v}` : ''}`)
      .join(' + ');
    p(
      `  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(40)} ${r.answer.padEnd(10)} ${String(r.total).padStart(2)} ${r.maxRequests !== undefined ? `(<= ${r.maxRequests})` : '      '}  ${ops}`,
    );
    for (const pr of r.problems) p(`       -> ${pr}`);
  }
  p(`  figures: new in-order ${inOrder?.total}, duplicate ${duplicate?.total}, out-of-order ${outOfOrder?.total}`);
  p();
  p('Budgets');
  for (const v of verdicts) p(`  ${v.ok ? 'ok  ' : 'OVER'} ${v.name.padEnd(32)} ${String(v.value).padStart(9)}  budget ${v.budget}`);
  if (cost) {
    p();
    for (const line of formatCostReport(cost)) p(line);
  }
  const wrong = [
    ...(cost?.problems ?? []),
    ...counts.filter((r) => !r.ok).flatMap((r) => r.problems.map((x) => `${r.name}: ${x}`)),
    ...cold.wrong,
    ...(warm?.wrong ?? []),
    ...(publisher?.wrong ?? []),
    ...conventionalCold.wrong.map((w) => `conventional ${w}`),
    ...(conventionalWarm?.wrong ?? []).map((w) => `conventional ${w}`),
  ];
  const countOver = [...verdicts.filter((v) => !v.timing && !v.ok), ...(cost?.verdicts.filter((v) => !v.withinCeiling) ?? [])];
  // Size, timing and cost targets: reported, enforced with --enforce (cost ceilings always are).
  const timingOver = [...verdicts.filter((v) => v.timing && !v.ok), ...(cost?.verdicts.filter((v) => !v.ok) ?? [])];
  p();
  if (wrong.length > 0) {
    p('WRONG ANSWERS (the bundled function must answer accepted/duplicate where it should):');
    for (const w of wrong) p(`  - ${w}`);
  }
  if (timingOver.length > 0)
    p(`OVER BUDGET: ${timingOver.map((v) => v.name).join('; ')}${opts.enforce ? '' : ' (not enforced; pass --enforce to fail)'}`);
  p(`done in ${fmt((performance.now() - started) / 1000, 1)} s`);
  process.stdout.write(`${lines.join('\n')}\n`);

  if (opts.json) {
    const report = {
      generatedAt: new Date().toISOString(),
      mode: opts.quick ? 'quick' : 'full',
      machine: host,
      runner: { execArgv, secret: 'secretsManager stand-in' },
      budgets: BUDGETS,
      bundle: { ...bundle, file: path.relative(PROJECT_ROOT, bundle.file) } satisfies Omit<BundleReport, 'file'> & { file: string },
      cold: { runs: cold.runs.length, bootMs: boot, initMs: init, firstInvokeMs: first, firstInvokeCpuMs: firstCpu, samples: cold.runs },
      warm: warm ?? null,
      publisher: publisher ? { ...publisher, bundleBytes: publisherBundle.bytes } : null,
      requests: { inOrder: inOrder?.total, duplicate: duplicate?.total, outOfOrder: outOfOrder?.total, steps: counts },
      conventional: {
        bundle: { ...conventionalBundle, file: path.relative(PROJECT_ROOT, conventionalBundle.file) },
        cold: {
          runs: conventionalCold.runs.length,
          initMs: conventionalInit,
          firstInvokeMs: conventionalFirst,
          samples: conventionalCold.runs,
        },
        warm: conventionalWarm ?? null,
        ratios: {
          bundle: bundleRatio,
          init: initRatio,
          cold: coldRatio,
          cpu: cpuRatio,
          duplicateCpu: duplicateCpuRatio,
          wholePathCpu: wholePathCpuRatio,
        },
        budgets: COMPARISON_BUDGETS,
      },
      verdicts,
      wrong,
      cost: cost?.cost ?? null,
      costReport: cost ?? null,
    };
    mkdirSync(path.dirname(path.resolve(opts.json)), { recursive: true });
    writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`JSON written to ${opts.json}\n`);
  }
  if (wrong.length > 0 || countOver.length > 0) return 1;
  if (timingOver.length > 0 && opts.enforce) return 2;
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof UsageError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`bench failed: ${message}\n`);
    process.exitCode = 3;
  },
);
