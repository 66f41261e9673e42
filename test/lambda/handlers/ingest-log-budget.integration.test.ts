/**
 * The log bytes an accepted postback costs, at the default log levels: every line the real
 * ingest handler prints (EMF metrics included), the platform's lines the construct's
 * logging configuration lets through, and the API Gateway access-log line. CloudWatch Logs
 * bills ingestion per byte, for every postback: the budget is 1 KB.
 */
import { randomUUID } from 'node:crypto';
import { accessLogLine, COST_BUDGETS, logBytes, platformLines } from '../../../bench/cost-model';
import { postbackAccessLogFormat } from '../../../lib/access-log-format';
import { INGEST_LOGGING } from '../../../lib/mms-postback-receiver';
import { captureOutput } from '../../helpers/captured-output';
import { fixture } from '../../helpers/fixtures';
import { type IngestHarness, startIngestHarness } from '../../helpers/ingest-harness';

let h: IngestHarness;
let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  // The defaults of the deployed function: Powertools at INFO, metrics on.
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'MmsPostbacks';
  h = await startIngestHarness();
  output = captureOutput();
});
afterAll(async () => {
  output.restore();
  await h.close();
});

/** Log bytes of one postback: what the handler printed, plus the platform's lines and the access-log line. */
async function logBytesOf(body: Record<string, unknown>): Promise<{ bytes: number; printed: string[] }> {
  output.clear();
  const res = await h.post(body);
  expect(res.body.result).toBe('accepted');
  const printed = [...output.lines];
  const bytes =
    logBytes(printed) + logBytes(platformLines(INGEST_LOGGING)) + logBytes([accessLogLine(postbackAccessLogFormat().toString())]);
  return { bytes, printed };
}

it.each([
  ['the first postback of a message (N101)', ['n101']],
  ['a later in-order postback (N102 after N101)', ['n101', 'n102']],
] as const)('%s logs at most 1 KB, platform and access-log lines included', async (_name, sequence) => {
  const trackingId = `budget-${randomUUID()}`;
  let last = { bytes: 0, printed: [] as string[] };
  for (const name of sequence) last = await logBytesOf({ ...fixture(name), 'tracking-id': trackingId });

  // The EMF line is there (the count must reach CloudWatch), and it is counted.
  expect(last.printed.some((line) => line.includes('"_aws"'))).toBe(true);
  expect(last.bytes).toBeLessThanOrEqual(COST_BUDGETS.logBytesPerPostback);
});

it('counts the platform lines when the logging configuration lets them through', () => {
  expect(platformLines({ loggingFormat: 'JSON', systemLogLevelV2: 'INFO' })).toHaveLength(2);
  expect(platformLines({})).toHaveLength(3);
  expect(platformLines(INGEST_LOGGING)).toEqual([]);
});
