/**
 * `npm run loadtest -- --campaign [--messages N] [--malformed N] [--connections C] [--rate R] [--json FILE]`
 *
 * Partition-heat simulation. DynamoDB Local has no partitions and no throttling, so this
 * measures what AWS would see: it runs the local run (the real handlers, `local/local-run.ts`)
 * with the capacity proxy (`capacity-proxy.ts`) between the ingest function and DynamoDB
 * Local, drives two workloads over HTTP, accounts the write units of every request per
 * partition key of the table and of each index (by DynamoDB's documented rules), and scales
 * them to `--rate` postbacks per second (default 2,000):
 *
 * - **campaign**: `--messages` messages (default 200) that all share one client-reference,
 *   each sent N101 then N102;
 * - **malformed burst**: `--malformed` authenticated postbacks (default 200) that fail the
 *   schema: refused with 400 and kept as rejected records.
 *
 * It fails (exit 1) when, at that rate, one partition key would need more than 1,000 write
 * units per second (DynamoDB's per-partition limit) or the table or an index more than its
 * warm throughput (`--warm-write-units`, the deployment's `warmWriteUnitsPerSecond`; by
 * default the 4,000 of a new on-demand table); a wrong answer fails it too. Exit 2: the
 * simulation itself broke.
 */

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULTS } from '../lambda/config-contract';
import {
  DEFAULT_WARM_WRITE_UNITS_PER_SECOND,
  PARTITION_KEY_WRITE_UNITS_PER_SECOND,
  TABLE_DEFINITION,
} from '../lambda/table/table-definition';
import { loadExample } from '../local/examples';
import { LocalRun } from '../local/local-run';
import { type CapacityProxy, type Heat, startCapacityProxy, summarizeCapacity } from './capacity-proxy';
import { tableShape } from './capacity-rules';
import type { CampaignOptions } from './options';

const SECRET = 'campaign-secret';

/** One partition key's load at the simulated rate. */
export interface HotKey {
  readonly target: string;
  readonly partitionKey: string;
  readonly units: number;
  readonly wcuPerSecond: number;
}

export interface WorkloadHeat {
  readonly workload: string;
  readonly postbacks: number;
  readonly answers: Readonly<Record<string, number>>;
  /** Per target (table or index): write units per second at the rate, and the hottest keys. */
  readonly targets: readonly { target: string; wcuPerSecond: number; warm: number; hottest: readonly HotKey[] }[];
  readonly problems: readonly string[];
}

/**
 * Write units per second each target and each of its partition keys needs when the workload
 * that produced `heat` (over `postbacks` postbacks) runs at `rate` postbacks per second, and
 * what passes a limit.
 *
 * @example
 * assessHeat('campaign', heat, 400, 2000, answers)
 */
export function assessHeat(
  workload: string,
  heat: Heat,
  postbacks: number,
  rate: number,
  answers: Record<string, number>,
  limits: { readonly perKey: number; readonly warm: number } = {
    perKey: PARTITION_KEY_WRITE_UNITS_PER_SECOND,
    warm: DEFAULT_WARM_WRITE_UNITS_PER_SECOND,
  },
): WorkloadHeat {
  const scale = rate / postbacks;
  const problems: string[] = [];
  const targets = [...heat].map(([target, keys]) => {
    const hottest = [...keys]
      .map(([partitionKey, units]) => ({ target, partitionKey, units, wcuPerSecond: units * scale }))
      .sort((a, b) => b.units - a.units);
    const total = [...keys.values()].reduce((sum, u) => sum + u, 0) * scale;
    for (const key of hottest.filter((k) => k.wcuPerSecond > limits.perKey)) {
      problems.push(
        `${workload}: ${target} key ${key.partitionKey} needs ${Math.round(key.wcuPerSecond)} WCU/s (limit ${limits.perKey} per partition key)`,
      );
    }
    if (total > limits.warm) {
      problems.push(
        `${workload}: ${target} needs ${Math.round(total)} WCU/s, more than its warm throughput (${limits.warm}): deploy with -c warmWriteUnitsPerSecond=<at least that> and rerun with --warm-write-units`,
      );
    }
    return { target, wcuPerSecond: total, warm: limits.warm, hottest: hottest.slice(0, 3) };
  });
  return { workload, postbacks, answers, targets, problems };
}

/** Runs `tasks` with at most `connections` at a time. */
async function pool<T>(items: readonly T[], connections: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(connections, items.length) }, worker));
}

async function post(url: string, body: unknown, answers: Record<string, number>): Promise<number> {
  const res = await fetch(`${url}/postbacks`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Postback-Token': SECRET },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  answers[res.status] = (answers[res.status] ?? 0) + 1;
  return res.status;
}

function format(w: WorkloadHeat, rate: number): string[] {
  const out = [`${w.workload}: ${w.postbacks} postbacks (answers ${JSON.stringify(w.answers)}), scaled to ${rate}/s`];
  for (const t of w.targets) {
    out.push(`  ${t.target.padEnd(20)} ${String(Math.round(t.wcuPerSecond)).padStart(7)} WCU/s (warm throughput ${t.warm})`);
    for (const k of t.hottest) {
      const flag = k.wcuPerSecond > PARTITION_KEY_WRITE_UNITS_PER_SECOND ? 'HOT ' : 'ok  ';
      out.push(
        `    ${flag} ${k.partitionKey.slice(0, 60).padEnd(60)} ${String(Math.round(k.wcuPerSecond)).padStart(7)} WCU/s (${k.units} units measured)`,
      );
    }
  }
  return out;
}

/**
 * The `--campaign` mode of `npm run loadtest`; resolves with the exit code.
 *
 * @example
 * process.exitCode = await runCampaign({ mode: 'campaign', messages: 50, malformed: 200, connections: 4, rate: 2000, warm: 4000 });
 */
export async function runCampaign(opts: CampaignOptions): Promise<number> {
  // The handlers' own log lines are not what this measures.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';
  const localDir = mkdtempSync(path.join(os.tmpdir(), 'mms-campaign-'));
  const tableName = 'mms-postbacks-campaign';
  let proxy: CapacityProxy | undefined;
  const localRun = new LocalRun({
    port: 0,
    localDir,
    secret: SECRET,
    tableName,
    eventBusName: 'mms-postbacks-campaign',
    eventSource: DEFAULTS.eventSource,
    interpose: async (endpoints) => {
      const p = await startCapacityProxy(endpoints.dynamodb, tableName, tableShape(TABLE_DEFINITION));
      proxy = p;
      return { dynamodb: p.endpoint, eventbridge: endpoints.eventbridge, close: () => p.close() };
    },
  });
  try {
    console.log(`campaign: starting the local run with the capacity proxy in front of DynamoDB Local (LOCAL_DIR ${localDir})`);
    if (!(await localRun.start()) || !localRun.api || !proxy) throw new Error('the local run did not start');
    const url = localRun.api.url;
    const records = proxy.records;
    // Warm-up (not counted): DynamoDB Local's JIT and the connections, so that no first request times out and is retried.
    const warmAnswers: Record<string, number> = {};
    for (let i = 0; i < 5; i++) await post(url, { ...loadExample('n101'), 'tracking-id': `warm-${randomUUID()}` }, warmAnswers);

    // 1. A campaign: every message shares one client-reference; N101 then N102 per message.
    const clientReference = `campaign-${randomUUID()}`;
    const campaignAnswers: Record<string, number> = {};
    let mark = records.length;
    const messages = Array.from({ length: opts.messages }, (_, i) => `cmp-${randomUUID().slice(0, 8)}-${i}`);
    await pool(messages, opts.connections, async (trackingId) => {
      for (const name of ['n101', 'n102'] as const) {
        await post(url, { ...loadExample(name), 'tracking-id': trackingId, 'client-reference': clientReference }, campaignAnswers);
      }
    });
    const limits = { perKey: PARTITION_KEY_WRITE_UNITS_PER_SECOND, warm: opts.warm };
    const campaign = assessHeat(
      'campaign (one client-reference)',
      summarizeCapacity(records.slice(mark)).heat,
      2 * opts.messages,
      opts.rate,
      campaignAnswers,
      limits,
    );

    // 2. A burst of malformed postbacks (authenticated, failing the schema): 400, kept as rejected records.
    const burstAnswers: Record<string, number> = {};
    mark = records.length;
    const bad = Array.from({ length: opts.malformed }, (_, i) => ({ ...loadExample('n101'), 'tracking-id': `bad-${i}`, code: undefined }));
    await pool(bad, opts.connections, async (body) => {
      await post(url, body, burstAnswers);
    });
    const burst = assessHeat(
      'malformed burst (400, rejected records)',
      summarizeCapacity(records.slice(mark)).heat,
      opts.malformed,
      opts.rate,
      burstAnswers,
      limits,
    );

    const wrong: string[] = [];
    if (campaignAnswers[200] !== 2 * opts.messages)
      wrong.push(`campaign: expected ${2 * opts.messages} answers 200, got ${JSON.stringify(campaignAnswers)}`);
    if (burstAnswers[400] !== opts.malformed)
      wrong.push(`malformed burst: expected ${opts.malformed} answers 400, got ${JSON.stringify(burstAnswers)}`);

    const lines = [
      '',
      `Partition heat at ${opts.rate} postbacks/s (write units by DynamoDB's rules; limits: ${PARTITION_KEY_WRITE_UNITS_PER_SECOND} WCU/s per partition key, warm throughput ${opts.warm} WCU/s${opts.warm === DEFAULT_WARM_WRITE_UNITS_PER_SECOND ? ', a new table without warmWriteUnitsPerSecond' : ''})`,
      ...format(campaign, opts.rate),
      ...format(burst, opts.rate),
    ];
    const problems = [...wrong, ...campaign.problems, ...burst.problems];
    lines.push(
      '',
      problems.length === 0 ? 'PASS: no key and no table or index over its limit' : 'FAIL:',
      ...problems.map((p) => `  - ${p}`),
    );
    console.log(lines.join('\n'));
    if (opts.json) {
      writeFileSync(opts.json, `${JSON.stringify({ rate: opts.rate, workloads: [campaign, burst], problems }, null, 2)}\n`);
      console.log(`JSON written to ${opts.json}`);
    }
    return problems.length === 0 ? 0 : 1;
  } catch (error) {
    console.error(`campaign: ${(error as Error)?.stack ?? String(error)}`);
    return 2;
  } finally {
    await localRun.stop();
    rmSync(localDir, { recursive: true, force: true });
  }
}
