/**
 * `npm run loadtest [-- --duration 30] [-- --connections 32] [-- --faults] [-- --json FILE]`
 *
 * Load test of the local run over real HTTP, normal and with faults.
 *
 * - Starts the local run in its own process group on free ports, with a fresh LOCAL_DIR:
 *   `npm start` itself for a normal run; with `--faults`, `loadtest/fault-local-run.ts` (the same
 *   pieces and the real handlers, with fault proxies in front of DynamoDB Local and the local
 *   EventBridge: every 6 s one endpoint fails for 2 s by dropping connections, answering 500,
 *   or, for EventBridge, answering PutEvents with `FailedEntryCount`; `--lost-responses` adds
 *   answers lost after the service did the work).
 * - Drives `POST /postbacks` with autocannon for `--duration` seconds over `--connections`
 *   keep-alive connections. Each request is built by `loadtest/workload.ts`: new postbacks over
 *   many tracking-ids in lifecycle order (~10 % out of order), ~20 % exact duplicates, ~5 % bad
 *   input, ~3 % concurrent copies of a postback in flight and ~3 % concurrent postbacks of a
 *   tracking-id in flight (the in-progress and transaction-conflict paths). Every answer is
 *   recorded per request. Like the provider, the client retries every
 *   503 (after `Retry-After`, at most 5 s) and every request that got no answer.
 * - Then drains: retries everything outstanding, without faults, until it is answered (bounded
 *   by `--drain-timeout`), waits for the table's stream to deliver every stored postback's event
 *   (the same bound), and checks DynamoDB Local and `events.jsonl` against the ledger
 *   (`loadtest/checks.ts`): nothing lost, nothing doubled (except, counted apart, a record the
 *   stream mapping re-delivered after an EventBridge failure outlasted the publisher's retries,
 *   or a lost EventBridge answer with `--lost-responses`), one `accepted` per postback,
 *   detail-types and `isLatest` as the rule says, states per the latest-state rule, bad input
 *   refused and never stored, no 5xx without a fault. It reports the latency from each
 *   postback's 200 to its event (median, p99).
 * - Prints throughput, p50/p99 latency, answers by status and the checks; `--json FILE` writes
 *   the same as JSON. Stops the local run (SIGINT, then SIGKILL) and verifies no process is left.
 *
 * Exit codes: 0 all checks pass (WARN allowed); 1 a check failed; 2 the load test itself broke.
 *
 * Other flags: `--drain-timeout S` (default 30, or 90 with faults), `--keep` (keep LOCAL_DIR),
 * `--fault-window S` (how long each fault window lasts, default 2; one starts every S + 4 s:
 * a window longer than the publisher's own retries makes the stream mapping re-deliver) and
 * `--fault-on dynamodb|eventbridge|both` (which endpoints the windows hit; both by default).
 */
import './env';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { summarize } from '../bench/stats';
import { headerValue } from '../lambda/http/request';
import { findFreePort } from '../stand-ins/loopback-server';
import { runCampaign } from './campaign';
import { type CheckResult, eventLatencies, readStored, runChecks, type Stored } from './checks';
import type { FaultReportMessage } from './fault-local-run';
import { type LocalRunProcess, startLocalRunProcess } from './local-run-process';
import { LOADTEST_USAGE, type LoadtestOptions, parseLoadtestArgs } from './options';
import { type Outgoing, Workload } from './workload';

const SECRET = 'loadtest-secret';
const REQUEST_TIMEOUT_S = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The load phase: autocannon, with every request built by the workload and every answer recorded. */
function load(w: Workload, url: string, opts: LoadtestOptions): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: opts.connections,
        duration: opts.duration,
        timeout: REQUEST_TIMEOUT_S,
        requests: [
          {
            method: 'POST',
            path: '/postbacks',
            setupRequest: (request, context) => {
              const out = w.next(Date.now());
              context.id = out.id;
              return { ...request, method: 'POST', path: '/postbacks', headers: out.headers, body: out.body };
            },
            onResponse: (status, body, context, headers) => {
              w.answered(Number(context.id), status, body, headerValue(headers, 'retry-after'), 'load');
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    // A request whose connection broke never gets onResponse: the sweep below retries it.
    instance.on('error', reject);
  });
}

/** After the load: retry everything outstanding until answered (no faults any more), within the deadline. */
async function drain(w: Workload, url: string, deadline: number): Promise<{ requests: number; ms: number }> {
  const started = Date.now();
  let requests = 0;
  const running = new Set<Promise<void>>();
  const sendOne = async (out: Outgoing) => {
    requests++;
    try {
      const res = await fetch(`${url}/postbacks`, {
        method: 'POST',
        headers: out.headers,
        body: out.body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_S * 1000),
      });
      const text = await res.text();
      w.answered(out.id, res.status, text, res.headers.get('retry-after') ?? undefined, 'drain');
    } catch {
      w.unanswered(out.id);
    }
  };
  while (Date.now() < deadline) {
    const out = running.size < 8 ? w.takeRetry(Date.now(), false) : undefined;
    if (out) {
      const p = sendOne(out).finally(() => running.delete(p));
      running.add(p);
      continue;
    }
    if (running.size === 0 && w.pendingRetries === 0) break;
    const due = w.nextRetryDue();
    await Promise.race([sleep(Math.max(10, Math.min(250, (due ?? Date.now() + 250) - Date.now()))), ...running]);
  }
  await Promise.allSettled([...running]);
  return { requests, ms: Date.now() - started };
}

/** Median, p99 and maximum of a list of milliseconds (rounded, nearest rank). */
function percentiles(values: readonly number[]): { p50Ms: number; p99Ms: number; maxMs: number } {
  const s = summarize(values);
  return { p50Ms: Math.round(s.median), p99Ms: Math.round(s.p99), maxMs: Math.round(s.max) };
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function printReport(report: Report): void {
  const { load: l, drain: d, mix, statuses, checks } = report;
  const rows: [string, string][] = [
    [
      'machine',
      `${report.machine.cpus}x ${report.machine.cpuModel}, ${report.machine.memoryGb} GB, Node ${report.machine.node}, ${report.machine.platform}`,
    ],
    [
      'mode',
      report.faults
        ? `faults (${report.lostResponses ? 'with lost responses' : 'drop, 500, partial'}; ${report.faultWindowS} s windows on ${report.faultOn})`
        : 'normal (npm start)',
    ],
    ['duration / connections', `${l.durationS} s / ${l.connections}`],
    ['throughput', `${l.requestsPerSecond.toFixed(0)} req/s (mean of 1 s samples; ${l.requests} requests answered in the load phase)`],
    ['latency', `p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, max ${l.maxMs} ms`],
    [
      'answers (load phase)',
      Object.entries(statuses.load)
        .map(([s, n]) => `${s}: ${n}`)
        .join(', '),
    ],
    ['errors / timeouts', `${l.errors} / ${l.timeouts}`],
    [
      'mix',
      `new ${mix.new}, duplicate ${mix.duplicate} (${(mix.duplicateShare * 100).toFixed(1)} %), bad ${mix.bad} (${(mix.badShare * 100).toFixed(1)} %), retries ${mix.retry}; out of order ${(mix.outOfOrderShare * 100).toFixed(1)} % of new`,
    ],
    [
      'races',
      `${mix.concurrentCopy} concurrent copies of a postback in flight, ${mix.concurrentSibling} postbacks sent while another of their message was in flight; answers to them: ${
        Object.entries(report.raceAnswers)
          .map(([s, n]) => `${s}: ${n}`)
          .join(', ') || '-'
      }`,
    ],
    [
      'drain',
      `${d.requests} requests in ${(d.ms / 1000).toFixed(1)} s; answers: ${
        Object.entries(statuses.drain)
          .map(([s, n]) => `${s}: ${n}`)
          .join(', ') || '-'
      }`,
    ],
    [
      '200 -> event',
      `p50 ${report.eventLatency.p50Ms} ms, p99 ${report.eventLatency.p99Ms} ms, max ${report.eventLatency.maxMs} ms over ${report.eventLatency.postbacks} postbacks (events settled ${(report.eventLatency.settleMs / 1000).toFixed(1)} s after the drain)`,
    ],
    ...(report.stream
      ? ([
          [
            'stream mapping',
            `${report.stream.invocations} invocations, ${report.stream.recordsDelivered} records delivered, ${report.stream.recordsRedelivered} re-delivered (${Object.keys(report.stream.redeliveredPostbackIds).length} postbacks), ${report.stream.recordsDiscarded} given up`,
          ],
        ] as [string, string][])
      : []),
    [
      'stored',
      `${report.stored.history} history entries, ${report.stored.states} states, ${report.stored.events} events, ${report.stored.rejected} rejected records`,
    ],
  ];
  if (report.faultReport) {
    const windows = report.faultReport.windows.map((w) => `${w.service}:${w.kind}@${(w.fromMs / 1000).toFixed(0)}s`).join(' ');
    const proxies = report.faultReport.proxies
      .map(
        (p) =>
          `${p.service} forwarded ${p.forwarded}, faulted ${
            Object.entries(p.faulted)
              .filter(([, n]) => n > 0)
              .map(([k, n]) => `${k} ${n}`)
              .join(', ') || '0'
          }`,
      )
      .join('; ');
    rows.push(['fault windows', windows], ['fault proxies', proxies]);
  }
  console.log('');
  for (const [k, v] of rows) console.log(`  ${pad(k, 24)} ${v}`);
  console.log('');
  for (const c of checks) {
    console.log(`  ${pad(c.verdict, 5)} ${pad(c.name, 62)} ${c.summary}`);
    for (const e of c.examples) console.log(`          e.g. ${JSON.stringify(e)}`);
  }
  console.log('');
}

interface Report {
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string };
  faults: boolean;
  lostResponses: boolean;
  faultWindowS?: number;
  faultOn?: string;
  load: {
    durationS: number;
    connections: number;
    requests: number;
    requestsPerSecond: number;
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
    errors: number;
    timeouts: number;
  };
  drain: { requests: number; ms: number };
  /** From each postback's first 2xx to its first event: the stream, the batching window, the publisher. */
  eventLatency: { postbacks: number; p50Ms: number; p99Ms: number; maxMs: number; settleMs: number };
  /** The publisher's event source mapping (fault runs). */
  stream?: FaultReportMessage['stream'];
  mix: {
    new: number;
    duplicate: number;
    retry: number;
    bad: number;
    concurrentCopy: number;
    concurrentSibling: number;
    duplicateShare: number;
    badShare: number;
    outOfOrderShare: number;
  };
  /** Answers to the concurrent requests, by status and result. */
  raceAnswers: Record<string, number>;
  statuses: { load: Record<string, number>; drain: Record<string, number> };
  stored: { history: number; states: number; events: number; rejected: number };
  faultReport?: FaultReportMessage;
  checks: CheckResult[];
  localDir: string;
}

async function main(): Promise<number> {
  // The partition-heat simulation is a mode of its own (loadtest/campaign.ts).
  const opts = parseLoadtestArgs(process.argv.slice(2));
  if (opts === 'help') {
    console.log(LOADTEST_USAGE);
    return 0;
  }
  if (opts.mode === 'campaign') return runCampaign(opts);
  const localDir = mkdtempSync(path.join(os.tmpdir(), 'mms-loadtest-'));
  const port = await findFreePort();
  const dynamoDbPort = await findFreePort();
  console.log(
    `loadtest: starting the local run (${opts.faults ? 'loadtest/fault-local-run.ts' : 'npm start'}) on 127.0.0.1:${port}, LOCAL_DIR ${localDir}`,
  );
  let localRun: LocalRunProcess | undefined;
  let failed = true;
  const onSignal = () => {
    void (localRun?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    localRun = await startLocalRunProcess({
      faults: opts.faults,
      lostResponses: opts.lostResponses,
      port,
      dynamoDbPort,
      localDir,
      secret: SECRET,
      env: {},
      readyTimeoutMs: 120_000,
    });
    const w = new Workload({ secret: SECRET, activeMessages: Math.max(64, opts.connections * 4) });
    console.log(`loadtest: ready; ${opts.duration} s with ${opts.connections} connections${opts.faults ? ', with faults' : ''}…`);

    const sweep = setInterval(() => {
      for (const id of w.staleSince((REQUEST_TIMEOUT_S + 2) * 1000, Date.now())) w.unanswered(id);
    }, 1000);
    if (opts.faults) {
      const badMs = opts.faultWindow * 1000;
      localRun.startFaults({
        periodMs: badMs + 4000,
        badMs,
        offsetMs: 2000,
        services: opts.faultOn === 'both' ? ['dynamodb', 'eventbridge'] : [opts.faultOn],
      });
    }
    let result: autocannon.Result;
    try {
      result = await load(w, localRun.apiUrl, opts);
    } finally {
      clearInterval(sweep);
    }
    const faultReport = await localRun.stopFaults();
    // Requests cut off when autocannon stopped: the sender saw no answer and retries them.
    for (const id of w.inFlightIds()) w.unanswered(id);
    const loadAnswers = [...w.postbacks.flatMap((p) => p.answers), ...w.bad.flatMap((b) => b.answers)];
    console.log(`loadtest: load done (${loadAnswers.length} answers); draining ${w.pendingRetries} outstanding requests…`);
    const drained = await drain(w, localRun.apiUrl, Date.now() + opts.drainTimeout * 1000);
    // Events follow from the stream: wait until every 2xx'd postback has one (or the bound).
    const settleStarted = Date.now();
    const rt = localRun;
    const read = () => readStored(rt.dynamoDbEndpoint, rt.tableName, rt.eventsFile);
    let stored: Stored = await read();
    const answered = w.postbacks.filter((p) => p.answers.some((a) => a.status >= 200 && a.status < 300));
    while (answered.some((p) => !stored.events.has(p.postbackId)) && Date.now() - settleStarted < opts.drainTimeout * 1000) {
      await sleep(500);
      stored = await read();
    }
    // A last look after the stream is quiet: a late re-sent copy still counts.
    await sleep(2000);
    stored = await read();
    const settleMs = Date.now() - settleStarted;
    // The mapping's re-deliveries, as of now (the fault report of the load phase is older).
    const streamReport = opts.faults ? await localRun.stopFaults() : undefined;
    const latencies = eventLatencies(w, stored);
    const checks = runChecks(w, stored, {
      faults: opts.faults,
      lostResponses: opts.lostResponses,
      lostEventBridgeAnswers: faultReport?.proxies.find((p) => p.service === 'eventbridge')?.lostPostbackIds ?? [],
      redeliveredPostbackIds: streamReport?.stream.redeliveredPostbackIds ?? {},
      eventBridgeFaulted: (faultReport?.windows ?? []).some((window) => window.service === 'eventbridge'),
    });
    const left = await localRun.stop();
    checks.push(
      left.length === 0
        ? {
            name: 'local run stopped, no process left (Java included)',
            verdict: 'PASS',
            summary: `${localRun.pids.length} processes ended`,
            examples: [],
          }
        : {
            name: 'local run stopped, no process left (Java included)',
            verdict: 'FAIL',
            summary: `still alive: ${left.join(', ')}`,
            examples: [],
          },
    );

    const count = (phase: 'load' | 'drain') => {
      const byStatus: Record<string, number> = {};
      for (const a of [...w.postbacks.flatMap((p) => p.answers), ...w.bad.flatMap((b) => b.answers)]) {
        if (a.phase !== phase) continue;
        const key = a.status === 200 && a.result ? `200 ${a.result}` : String(a.status);
        byStatus[key] = (byStatus[key] ?? 0) + 1;
      }
      return Object.fromEntries(Object.entries(byStatus).sort());
    };
    const handedOut = w.counts.new + w.counts.duplicate + w.counts.bad + w.counts.concurrentCopy + w.counts.concurrentSibling;
    const report: Report = {
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
        memoryGb: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
      },
      faults: opts.faults,
      lostResponses: opts.lostResponses,
      ...(opts.faults ? { faultWindowS: opts.faultWindow, faultOn: opts.faultOn } : {}),
      load: {
        durationS: result.duration,
        connections: opts.connections,
        requests: result.requests.total,
        requestsPerSecond: result.requests.average,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        maxMs: result.latency.max,
        errors: result.errors,
        timeouts: result.timeouts,
      },
      drain: drained,
      eventLatency: { postbacks: latencies.length, ...percentiles(latencies), settleMs },
      ...(streamReport ? { stream: streamReport.stream } : {}),
      mix: {
        ...w.counts,
        duplicateShare: w.counts.duplicate / (handedOut || 1),
        badShare: w.counts.bad / (handedOut || 1),
        outOfOrderShare: w.outOfOrderShare(),
      },
      statuses: { load: count('load'), drain: count('drain') },
      raceAnswers: w.raceAnswers(),
      stored: { history: stored.history.length, states: stored.states.size, events: stored.eventCount, rejected: stored.rejected },
      ...(faultReport ? { faultReport } : {}),
      checks,
      localDir,
    };
    printReport(report);
    if (opts.json) {
      writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`loadtest: report written to ${opts.json}`);
    }
    failed = checks.some((c) => c.verdict === 'FAIL');
    console.log(failed ? 'loadtest: FAILED' : 'loadtest: all checks passed');
    if (failed) console.log(`loadtest: the data is kept in ${localDir} (events.jsonl)`);
    return failed ? 1 : 0;
  } catch (error) {
    console.error(`loadtest: ${(error as Error).stack ?? String(error)}`);
    if (localRun) console.error(`loadtest: last lines of the local run:\n${localRun.tail()}`);
    return 2;
  } finally {
    const left = await localRun?.stop();
    if (left && left.length > 0) console.error(`loadtest: could not stop processes ${left.join(', ')}`);
    if (!failed && !opts.keep) rmSync(localDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`loadtest: ${(error as Error).message}`);
    process.exit(2);
  },
);
