/**
 * The cost report of `npm run bench`: runs the bundled ingest function (as built for the
 * stack, with its default log levels) with the capacity proxy (`loadtest/capacity-proxy.ts`)
 * in front of DynamoDB Local, and measures per new in-order postback (the first of a message,
 * a later one), per duplicate and per out-of-order postback: DynamoDB write units (by
 * DynamoDB's documented rules, DynamoDB Local's own figure beside them) and read units,
 * EventBridge 64 KB chunks (the publisher's PutEvents), and log bytes (every line the function prints, the platform's
 * lines its logging configuration lets through, the access-log line). Then prices them
 * (`bench/cost-model.ts`, `bench/prices.ts`) for the REST and the HTTP API.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { DEFAULTS } from '../lambda/config-contract';
import { TABLE_DEFINITION } from '../lambda/table/table-definition';
import { postbackAccessLogFormat } from '../lib/access-log-format';
import { INGEST_LOGGING } from '../lib/mms-postback-receiver';
import { type CapacityRecord, type CapacitySummary, startCapacityProxy, summarizeCapacity } from '../loadtest/capacity-proxy';
import { tableShape } from '../loadtest/capacity-rules';
import type { EventBridgeLocal } from '../local/eventbridge-local';
import { answerOf, BenchError, Child, expectType } from './child';
import {
  ASSUMPTIONS,
  accessLogLine,
  COST_BUDGETS,
  COST_CEILINGS,
  type CostLine,
  eventChunks,
  logBytes,
  type PostbackFigures,
  platformLines,
  usdPerMillion,
} from './cost-model';
import { example, postbackEvent } from './events';
import { PRICES } from './prices';

export type CostStepName = 'first' | 'later' | 'duplicate' | 'outOfOrder';

export interface CostStep extends PostbackFigures {
  readonly name: CostStepName;
  readonly description: string;
  readonly answer: string;
  /** Write units DynamoDB Local reported. */
  readonly wruLocal: number;
  /** Write units by table/index: by the rules and by DynamoDB Local. */
  readonly byTarget: CapacitySummary['byTarget'];
  readonly rules: CapacitySummary['rules'];
  readonly operations: readonly string[];
  /** Log bytes, split: the function's own lines, the platform's, the access-log line. */
  readonly logSplit: { readonly function: number; readonly platform: number; readonly accessLog: number };
  readonly functionLines: readonly string[];
}

export interface CostVerdict {
  readonly name: string;
  readonly value: number;
  readonly budget: number;
  /** Within the budget (the target). */
  readonly ok: boolean;
  /** The regression ceiling ({@link COST_CEILINGS}), always enforced. */
  readonly ceiling: number;
  readonly withinCeiling: boolean;
}

export interface CostReport {
  readonly steps: readonly CostStep[];
  /** The figures the budgets apply to (`--json`: the object `cost`). */
  readonly cost: {
    readonly wruFirstPostback: number;
    readonly wruLaterPostback: number;
    readonly wruDuplicate: number;
    readonly wruOutOfOrder: number;
    readonly wruFirstPostbackDynamoDbLocal: number;
    readonly wruLaterPostbackDynamoDbLocal: number;
    readonly logBytesPerPostback: number;
    readonly eventChunksPerPostback: number;
    readonly usdPerMillionRest: number;
    readonly usdPerMillionHttp: number;
    readonly breakdownRest: CostLine;
    readonly breakdownHttp: CostLine;
    /** Publisher invocations per postback the prices use (measured by the whole-path run, else one per full batch). */
    readonly publisherInvocationsPerPostback: number;
    /** The mean figures of a message's first and later postback, which the prices apply to. */
    readonly typical: PostbackFigures;
  };
  readonly assumptions: typeof ASSUMPTIONS & { readonly postbacksPerMessage: 2; readonly prices: typeof PRICES };
  readonly verdicts: readonly CostVerdict[];
  readonly problems: readonly string[];
}

interface Options {
  readonly bundle: string;
  readonly execArgv: string[];
  /** The function's environment (as the stack sets it); AWS_ENDPOINT_URL_DYNAMODB is replaced by the capacity proxy. */
  readonly env: NodeJS.ProcessEnv;
  readonly tableName: string;
  readonly bus: EventBridgeLocal;
  readonly prefix: string;
}

interface PlannedStep {
  readonly name: CostStepName | undefined;
  readonly description: string;
  readonly event: APIGatewayProxyEvent;
  readonly expect: 'accepted' | 'duplicate';
  /** The postback's body as sent. */
  readonly body: string;
}

function plan(prefix: string): PlannedStep[] {
  const a = `${prefix}-a`;
  const b = `${prefix}-b`;
  const steps: Omit<PlannedStep, 'body'>[] = [
    {
      name: undefined,
      description: 'warm-up (secret, connections)',
      event: postbackEvent(example('n101', `${prefix}-w`)),
      expect: 'accepted',
    },
    { name: 'first', description: 'first postback of a message (N101)', event: postbackEvent(example('n101', a)), expect: 'accepted' },
    { name: 'duplicate', description: 'duplicate (the same N101 again)', event: postbackEvent(example('n101', a)), expect: 'duplicate' },
    {
      name: 'later',
      description: 'later in-order postback (N102 after N101)',
      event: postbackEvent(example('n102', a)),
      expect: 'accepted',
    },
    {
      name: undefined,
      description: 'N102 first (prepares the out-of-order one)',
      event: postbackEvent(example('n102', b)),
      expect: 'accepted',
    },
    {
      name: 'outOfOrder',
      description: 'out-of-order postback (N101 after N102)',
      event: postbackEvent(example('n101', b)),
      expect: 'accepted',
    },
  ];
  return steps.map((step) => ({ ...step, body: step.event.body ?? '' }));
}

/**
 * Measures the cost figures and checks them against {@link COST_BUDGETS}.
 *
 * @example
 * const report = await runCostReport({ bundle, execArgv: [], env, tableName, bus, prefix: 'bench-1' });
 * for (const line of formatCostReport(report)) console.log(line);
 */
export async function runCostReport(opts: Options): Promise<CostReport> {
  const upstream = opts.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (!upstream) throw new BenchError('the cost report needs AWS_ENDPOINT_URL_DYNAMODB in the function environment');
  const proxy = await startCapacityProxy(upstream, opts.tableName, tableShape(TABLE_DEFINITION));
  const accessLog = logBytes([accessLogLine(postbackAccessLogFormat().toString())]);
  const platform = logBytes(platformLines(INGEST_LOGGING));
  const steps: CostStep[] = [];
  const problems: string[] = [];
  const { child, ready } = Child.start(opts.bundle, { ...opts.env, AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint }, opts.execArgv);
  try {
    expectType(await ready, 'ready');
    for (const step of plan(opts.prefix)) {
      const mark = proxy.records.length;
      const eventsBefore = opts.bus.events.length;
      const { answer, lines } = await child.invokeCapturing(step.event);
      const { kind, body } = answerOf(expectType(answer, 'invoke').response);
      if (kind !== step.expect) problems.push(`${step.description}: answered ${kind} ${JSON.stringify(body)}, expected ${step.expect}`);
      if (!step.name) continue;
      const records: CapacityRecord[] = proxy.records.slice(mark);
      const capacity = summarizeCapacity(records);
      // The sender's path publishes nothing; the publisher puts one entry per accepted postback
      // later, from the stream. Its size, bounded from above: the Detail holds the body (`raw`)
      // and the fields mapped from it, so at most twice the body plus 1 KiB of names and flags.
      const published = opts.bus.events.length - eventsBefore;
      if (published !== 0) problems.push(`${step.description}: ${published} events published on the sender's path, expected none`);
      const chunks =
        kind === 'accepted'
          ? eventChunks({
              source: DEFAULTS.eventSource,
              detailType: 'MMS SMS Fallback Failed',
              detail: `${step.body}${step.body}${' '.repeat(1024)}`,
              time: true,
            })
          : 0;
      const functionBytes = logBytes(lines);
      steps.push({
        name: step.name,
        description: step.description,
        answer: kind,
        wru: capacity.wruRules,
        wruLocal: capacity.wruLocal,
        rru: capacity.rruLocal,
        eventChunks: chunks,
        logBytes: functionBytes + platform + accessLog,
        logSplit: { function: functionBytes, platform, accessLog },
        byTarget: capacity.byTarget,
        rules: capacity.rules,
        operations: records.map((r) => `${r.operation}${r.status === 200 ? '' : ` (${r.status})`}`),
        functionLines: lines,
      });
    }
  } finally {
    await child.stop();
    await proxy.close();
  }

  const step = (name: CostStepName): CostStep => {
    const found = steps.find((s) => s.name === name);
    if (!found) throw new BenchError(`the cost report has no ${name} step`);
    return found;
  };
  const first = step('first');
  const later = step('later');
  // A message's life: its first postback (sent) and one later in-order one (delivered).
  const typical: PostbackFigures = {
    wru: (first.wru + later.wru) / 2,
    rru: (first.rru + later.rru) / 2,
    eventChunks: (first.eventChunks + later.eventChunks) / 2,
    logBytes: (first.logBytes + later.logBytes) / 2,
  };
  const breakdownRest = usdPerMillion(typical, 'rest');
  const breakdownHttp = usdPerMillion(typical, 'http');
  const cost = {
    publisherInvocationsPerPostback: ASSUMPTIONS.publisherInvocationsPerPostback,
    typical,
    wruFirstPostback: first.wru,
    wruLaterPostback: later.wru,
    wruDuplicate: step('duplicate').wru,
    wruOutOfOrder: step('outOfOrder').wru,
    wruFirstPostbackDynamoDbLocal: first.wruLocal,
    wruLaterPostbackDynamoDbLocal: later.wruLocal,
    logBytesPerPostback: Math.max(first.logBytes, later.logBytes),
    eventChunksPerPostback: typical.eventChunks,
    usdPerMillionRest: round2(breakdownRest.total),
    usdPerMillionHttp: round2(breakdownHttp.total),
    breakdownRest,
    breakdownHttp,
  };
  return { steps, cost, assumptions: { ...ASSUMPTIONS, postbacksPerMessage: 2, prices: PRICES }, verdicts: verdictsOf(cost), problems };
}

function verdictsOf(cost: CostReport['cost']): CostVerdict[] {
  const verdict = (name: string, key: keyof typeof COST_BUDGETS): CostVerdict => {
    const value = cost[key];
    return {
      name,
      value,
      budget: COST_BUDGETS[key],
      ok: value <= COST_BUDGETS[key],
      ceiling: COST_CEILINGS[key],
      withinCeiling: value <= COST_CEILINGS[key],
    };
  };
  return [
    verdict('write units, first postback of a message', 'wruFirstPostback'),
    verdict('write units, later in-order postback', 'wruLaterPostback'),
    verdict('log bytes per accepted postback', 'logBytesPerPostback'),
    verdict('$ per million postbacks, REST API', 'usdPerMillionRest'),
    verdict('$ per million postbacks, HTTP API', 'usdPerMillionHttp'),
  ];
}

/**
 * The report priced again with the publisher invocations per postback that the whole-path run
 * measured (the stream's batches as the mapping formed them).
 *
 * @example
 * report = repriceWithPublisher(report, 0.1);
 */
export function repriceWithPublisher(report: CostReport, publisherInvocationsPerPostback: number): CostReport {
  const breakdownRest = usdPerMillion(report.cost.typical, 'rest', PRICES, publisherInvocationsPerPostback);
  const breakdownHttp = usdPerMillion(report.cost.typical, 'http', PRICES, publisherInvocationsPerPostback);
  const cost = {
    ...report.cost,
    publisherInvocationsPerPostback,
    breakdownRest,
    breakdownHttp,
    usdPerMillionRest: round2(breakdownRest.total),
    usdPerMillionHttp: round2(breakdownHttp.total),
  };
  return { ...report, cost, verdicts: verdictsOf(cost) };
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const usd = (n: number) => `$${n.toFixed(2)}`;

/** The report's lines, for the bench's printout. */
export function formatCostReport(report: CostReport): string[] {
  const out: string[] = [];
  const p = (line = '') => out.push(line);
  p(`Cost per postback (DynamoDB Local behind the capacity proxy; prices ${PRICES.region}, checked ${PRICES.checked}, bench/prices.ts)`);
  p(
    `  ${'postback'.padEnd(44)} ${'answer'.padEnd(9)} ${'WRU'.padStart(4)} ${'(Local)'.padStart(7)} ${'RRU'.padStart(4)} ${'EB chunks'.padStart(9)} ${'log B'.padStart(6)}`,
  );
  for (const s of report.steps) {
    p(
      `  ${s.description.padEnd(44)} ${s.answer.padEnd(9)} ${String(s.wru).padStart(4)} ${`(${s.wruLocal})`.padStart(7)} ${String(s.rru).padStart(4)} ${String(s.eventChunks).padStart(9)} ${String(s.logBytes).padStart(6)}`,
    );
    const targets = Object.entries(s.byTarget)
      .map(([t, u]) => `${t} ${u.rules}${u.local !== u.rules ? ` (Local ${u.local})` : ''}`)
      .join(', ');
    p(`      ${s.operations.join(' + ') || 'no DynamoDB request'}; write units: ${targets || 'none'}`);
    p(
      `      log: function ${s.logSplit.function} B (${s.functionLines.length} line(s)), platform ${s.logSplit.platform} B, access log ${s.logSplit.accessLog} B`,
    );
  }
  const rules = new Map<string, number>();
  for (const s of report.steps) for (const [rule, n] of Object.entries(s.rules)) rules.set(rule, (rules.get(rule) ?? 0) + n);
  p('  write-unit rules applied (DynamoDB developer guide: item sizes, transactions, GSI writes; see loadtest/capacity-rules.ts):');
  for (const [rule, n] of rules) p(`      ${rule} (x${n})`);
  p(
    `  assumptions: Lambda arm64 ${report.assumptions.lambdaMemoryMB} MB, ingest ${report.assumptions.lambdaBilledDurationMs} ms billed per postback; publisher ${report.assumptions.publisherBilledDurationMs} ms billed per invocation, ${report.cost.publisherInvocationsPerPostback.toFixed(3)} invocations per postback (measured from the stream when the whole-path run ran), stream reads by Lambda free; a message = its first postback + one later one (the $/M is their mean)`,
  );
  const row = (name: string, c: CostLine) =>
    p(
      `  ${name.padEnd(9)} API ${usd(c.apiGateway)}  Lambda ${usd(c.lambda)}  publisher ${usd(c.publisher)}  DynamoDB ${usd(c.dynamoDb)}  EventBridge ${usd(c.eventBridge)}  Logs ${usd(c.logs)}  = ${usd(c.total)} per million`,
    );
  row('REST API', report.cost.breakdownRest);
  row('HTTP API', report.cost.breakdownHttp);
  p('Cost budgets');
  for (const v of report.verdicts) {
    const mark = v.ok ? 'ok  ' : v.withinCeiling ? 'OVER' : 'FAIL';
    p(`  ${mark} ${v.name.padEnd(44)} ${String(v.value).padStart(8)}  budget ${v.budget}  ceiling ${v.ceiling}`);
  }
  for (const problem of report.problems) p(`  WRONG: ${problem}`);
  return out;
}
