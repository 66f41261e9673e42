/**
 * `npm start`: the whole path on one machine, no AWS account.
 *
 * - DynamoDB Local (in memory, or in `<LOCAL_DIR>/dynamodb` with `--persist`), the table
 *   created from `lambda/table/table-definition.ts`;
 * - a local EventBridge endpoint that prints each event and appends it to `<LOCAL_DIR>/events.jsonl`;
 * - an HTTP server on 127.0.0.1:PORT (default 3000) that feeds API Gateway proxy events to
 *   the real, unmodified handlers in `lambda/handlers/`.
 *
 * - the table's stream, read by the local event source mapping (`local/stream-poller.ts`), which
 *   feeds the real publisher handler: every stored postback's event arrives from the stream, and
 *   what the mapping gives up on is printed and appended to `<LOCAL_DIR>/publish-failures.jsonl`;
 * - the status-unknown sweep, run every SWEEP_INTERVAL_SECONDS (default 60) as the schedule does in AWS.
 *
 * Environment: PORT, LOCAL_DIR (default `.local/`), POSTBACK_SECRET (default `local-dev-secret`),
 * TABLE_NAME, EVENT_BUS_NAME, EVENT_SOURCE, DYNAMODB_PORT (default: a free port),
 * STATUS_UNKNOWN_AFTER_SECONDS (default 259200, 72 hours; 0 turns the sweep off), SWEEP_INTERVAL_SECONDS (default 60).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { DEFAULTS } from '../lambda/config-contract';
import { parseCommandLine, UsageError } from './cli';
import { LocalEnvironmentError } from './dynamodb-local';
import type { RecordedEvent } from './eventbridge-local';
import { DEFAULT_SECRET, DEFAULT_STATUS_UNKNOWN_AFTER_SECONDS, LocalRun, localRunSettings } from './local-run';
import type { DiscardedBatch } from './stream-poller';

// Node 20 is expected on our machines (Lambda runs 22+): keep the SDK's multi-line notice out of the console.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE =
  'usage: npm start [-- --persist]   (env: PORT, LOCAL_DIR, POSTBACK_SECRET, DYNAMODB_PORT, STATUS_UNKNOWN_AFTER_SECONDS, SWEEP_INTERVAL_SECONDS)';

function fail(message: string): never {
  throw new LocalEnvironmentError(message);
}

function parseSeconds(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < min) fail(`${name} must be a whole number of seconds, at least ${min}, got "${raw}"`);
  return seconds;
}

/**
 * Reads `npm start`'s command line (pure); a wrong one throws a `UsageError` that names the usage.
 *
 * @example
 * parseStartArgs(['--persist']); // { persist: true }
 */
export function parseStartArgs(argv: readonly string[]): { readonly persist: boolean } | 'help' {
  try {
    const { values } = parseCommandLine(argv, { persist: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
    return values.help ? 'help' : { persist: values.persist ?? false };
  } catch (error) {
    throw new UsageError(`${(error as Error).message}: ${USAGE}`);
  }
}

/**
 * How the banner shows the secret and the postback URL forms. The fixed local default is no
 * secret (it is in the repository) and is printed as it is; a secret set in POSTBACK_SECRET
 * never is: the lines name the variable instead, ready for a shell.
 */
export function secretLines(secret: string, base: string, hostPort: string): string[] {
  const isDefault = secret === DEFAULT_SECRET;
  const shown = isDefault ? secret : '$POSTBACK_SECRET';
  return [
    isDefault
      ? `  Local secret: ${secret}   (the fixed local default; set POSTBACK_SECRET to change it)`
      : '  Local secret: the value of POSTBACK_SECRET (not printed)',
    '  Postback URL, in the forms a provider can use:',
    `    basic auth:   http://user:${isDefault ? encodeURIComponent(secret) : shown}@${hostPort}/postbacks`,
    `    query:        ${base}/postbacks?token=${isDefault ? encodeURIComponent(secret) : shown}`,
    `    header:       ${base}/postbacks   with   X-Postback-Token: ${shown}`,
  ];
}

/** The loud lines of a batch the publisher's mapping gave up on (the on-failure destination, locally). */
export function formatPublishFailure(batch: DiscardedBatch, file: string): string {
  const ids = batch.records.map((r) => r.postbackId ?? r.sequenceNumber).join(', ');
  return [
    `!!! PUBLISH FAILED: ${batch.batchSize} stream record(s) given up after ${batch.attempts} retries (${batch.reason}${batch.error ? `: ${batch.error}` : ''})`,
    `!!!   postbacks: ${ids}`,
    `!!!   recorded in ${file}; publish them again with npm run republish once EventBridge works`,
  ].join('\n');
}

/** One readable line per event. */
export function formatEvent(e: RecordedEvent): string {
  const d = (e.detail ?? {}) as Record<string, unknown>;
  return `event  ${e.detailType.padEnd(30)} trackingId=${String(d.trackingId ?? '-')} code=${String(d.code ?? '-')} isLatest=${String(d.isLatest ?? '-')}`;
}

/**
 * The launcher chain above this process (`tsx`, `sh -c`, `npm start`), nearest first.
 * `npm` forwards SIGTERM only to its `sh -c` child, which dies without passing it on: we
 * watch the chain and stop when any of it is gone, so that no Java process is orphaned.
 */
function launcherChain(): number[] {
  const chain: number[] = [];
  let pid = process.ppid;
  try {
    for (let depth = 0; depth < 6 && pid > 1; depth++) {
      const out = execFileSync('ps', ['-o', 'ppid=,comm=', '-p', String(pid)], { encoding: 'utf8', timeout: 2000 }).trim();
      const match = /^(\d+)\s+(.*)$/.exec(out);
      if (!match || !/^(npm|npx|node|tsx|sh|dash)\b/.test(path.basename(match[2] as string))) break;
      chain.push(pid);
      pid = Number(match[1]);
    }
  } catch {
    // no `ps`: rely on signals only
  }
  return chain;
}

function watchLaunchers(onGone: () => void): void {
  const chain = launcherChain();
  if (chain.length === 0) return;
  const timer = setInterval(() => {
    for (const pid of chain) {
      try {
        process.kill(pid, 0);
      } catch {
        clearInterval(timer);
        onGone();
        return;
      }
    }
  }, 1000);
  timer.unref();
}

async function main(): Promise<void> {
  const started = Date.now();
  const args = parseStartArgs(process.argv.slice(2));
  if (args === 'help') {
    console.log(USAGE);
    return;
  }
  const { persist } = args;
  const settings = localRunSettings(process.env, 3000);
  const { localDir, secret, tableName, eventBusName } = settings;
  const statusUnknownAfterSeconds = parseSeconds(
    'STATUS_UNKNOWN_AFTER_SECONDS',
    process.env.STATUS_UNKNOWN_AFTER_SECONDS,
    DEFAULT_STATUS_UNKNOWN_AFTER_SECONDS,
    0,
  );
  const sweepIntervalSeconds = parseSeconds('SWEEP_INTERVAL_SECONDS', process.env.SWEEP_INTERVAL_SECONDS, 60, 1);
  const localRun = new LocalRun({
    ...settings,
    persist,
    statusUnknownAfterSeconds,
    sweepIntervalSeconds,
    onEvent: (e) => console.log(formatEvent(e)),
    log: (line) => console.log(`http   ${line}`),
    onPublishFailure: (batch) =>
      console.error(formatPublishFailure(batch, path.relative(process.cwd(), path.join(localDir, 'publish-failures.jsonl')))),
    onPublisherInvoke: (report) => {
      if (report.outcome !== 'ok')
        console.log(
          `stream publisher ${report.outcome === 'partial' ? 'reported a failed record' : `failed (${report.error})`}: the mapping retries`,
        );
    },
  });

  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals | 'launcher gone') => {
    // Ctrl-C reaches every process of the group, and launchers may relay it once more: only a later signal forces.
    if (localRun.stopped && Date.now() - firstSignalAt < 1500) return;
    firstSignalAt = Date.now();
    if (localRun.stopped) {
      console.error(`\n${signal} again: exiting now`);
      process.exit(1); // the 'exit' hook of dynamodb-local kills java
    }
    console.log(`\n${signal}: stopping…`);
    void localRun.stop().then(
      () => {
        console.log('Stopped: DynamoDB Local, the stream poller, the local EventBridge and the HTTP server are down.');
        process.exit(0);
      },
      (error) => {
        console.error(`Error while stopping: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  watchLaunchers(() => onSignal('launcher gone'));

  if (!(await localRun.start())) return;
  const { api, ddb, eb } = localRun;
  if (!api || !ddb || !eb) return;
  void ddb.exited.then((code) => {
    if (localRun.stopped) return;
    console.error(`npm start: DynamoDB Local exited unexpectedly (code ${code}); stopping`);
    void localRun.stop().finally(() => process.exit(1));
  });
  const eventsFile = localRun.eventsFile;

  const base = api.url;
  const hostPort = base.replace(/^http:\/\//, '');
  const lines = [
    '',
    `MMS postback receiver, local run (${persist ? `data kept in ${path.relative(process.cwd(), path.join(localDir, 'dynamodb')) || '.'}` : 'in memory'})`,
    `  DynamoDB Local     ${ddb.endpoint}  table ${tableName}`,
    `  EventBridge        ${eb.endpoint}  bus ${eventBusName}, events appended to ${path.relative(process.cwd(), eventsFile)}`,
    `  API                ${base}`,
    `    POST ${base}/postbacks`,
    `    GET  ${base}/messages/{trackingId}`,
    `    GET  ${base}/messages?clientReference=…`,
    `  Stream             ${localRun.poller?.arn ?? '-'}`,
    `    events now arrive from the table's stream: the publisher runs on history inserts, batches of up to ${DEFAULTS.publisherBatchSize} within ${DEFAULTS.publisherMaxBatchingWindowSeconds} s, ${DEFAULTS.publisherRetryAttempts} retries, then ${path.relative(process.cwd(), localRun.failuresFile)}`,
    statusUnknownAfterSeconds > 0
      ? `  Status-unknown sweep every ${sweepIntervalSeconds} s: a message with no final postback ${statusUnknownAfterSeconds} s after its first gets "MMS Status Unknown"`
      : '  Status-unknown sweep off (STATUS_UNKNOWN_AFTER_SECONDS=0)',
    '',
    ...secretLines(secret, base, hostPort),
    '',
    '  Try:  npm run postback -- n101        (--list shows the examples)',
    '',
    `Ready in ${((Date.now() - started) / 1000).toFixed(1)} s on ${base}  (Ctrl-C stops everything)`,
  ];
  console.log(lines.join('\n'));
}

if (require.main === module)
  main().catch((error: unknown) => {
    const usage = error instanceof UsageError;
    const message = usage || error instanceof LocalEnvironmentError ? error.message : ((error as Error)?.stack ?? String(error));
    console.error(`npm start: ${message}`);
    process.exit(usage ? 2 : 1);
  });
