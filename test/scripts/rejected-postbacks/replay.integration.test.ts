/**
 * The replay of rejected records against DynamoDB Local and the loopback EventBridge, with
 * the real ingest pipeline and the real rejected-records adapter.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDbRejectedRecords } from '../../../lambda/adapters/rejected-records';
import { defaultIngestDeps } from '../../../lambda/ingest/ingest-handler-factory';
import { toXmlPostback } from '../../../local/xml-form';
import {
  FROM_TEXT_NOTE,
  type RejectedRecords,
  type ReplayLine,
  replayPipeline,
  replayRejected,
} from '../../../scripts/rejected-postbacks/replay';
import { formatLine, main } from '../../../scripts/replay-rejected';
import { fixture } from '../../helpers/fixtures';
import { type IngestHarness, startIngestHarness, TEST_SECRET } from '../../helpers/ingest-harness';

const runProgram = promisify(execFile);

let h: IngestHarness;
let records: DynamoDbRejectedRecords;
let env: Record<string, string | undefined>;
beforeAll(async () => {
  h = await startIngestHarness();
  env = { ...process.env, TABLE_NAME: h.table.tableName, EVENT_BUS_NAME: 'test-bus', POSTBACK_SECRET: TEST_SECRET };
  records = new DynamoDbRejectedRecords(h.table.client, h.table.tableName);
});
afterAll(() => h.close());
beforeEach(async () => {
  await h.publishFromStream();
  h.bus.reset();
});

/**
 * A valid postback kept as refused, as an earlier version of the receiver did before the
 * cause was fixed (stand-in for that version: the record is written with the real store's
 * `saveRejected`, exactly as the refusing handler writes it).
 */
async function keptByEarlierVersion(postback: Record<string, unknown>, receivedAt = new Date(), form: 'json' | 'xml' = 'json') {
  const requestId = randomUUID();
  await h.store().saveRejected({
    requestId,
    receivedAt,
    statusCode: 400,
    reason: 'validation_failed',
    message: 'the postback does not match the schema',
    details: [{ path: '/timestamp', message: 'must be a date-time' }],
    contentType: form === 'xml' ? 'application/xml' : 'application/json',
    sourceIp: '203.0.113.10',
    body: form === 'xml' ? toXmlPostback(postback) : JSON.stringify(postback),
    truncated: false,
  });
  return requestId;
}

async function run(options: { since: Date; dryRun?: boolean; records?: RejectedRecords }): Promise<ReplayLine[]> {
  const { pipeline, token } = replayPipeline(defaultIngestDeps(env));
  return replayRejected({
    records: options.records ?? records,
    pipeline,
    token,
    since: options.since,
    until: new Date(Date.now() + 60_000),
    dryRun: options.dryRun,
  });
}

async function replayOf(requestId: string, since: Date) {
  for await (const record of records.listRejected(since, new Date(Date.now() + 60_000))) if (record.requestId === requestId) return record;
  throw new Error(`no rejected record ${requestId}`);
}

describe('replay-rejected', () => {
  it('replays a record whose cause is fixed once (event published, record marked), a second run publishes nothing, and --dry-run changes nothing', async () => {
    const since = new Date(); // only the records of this test
    const trackingId = `replay-${randomUUID()}`;
    const fixable = await keptByEarlierVersion({ ...fixture('n102'), 'tracking-id': trackingId });
    const refused = await h.post({ ...fixture('n101'), 'tracking-id': `replay-${randomUUID()}`, to: 'not-a-number' });
    expect(refused.statusCode).toBe(400); // kept by the handler as a rejected record

    const dry = await run({ since, dryRun: true });
    expect(dry.map((line) => line.action)).toEqual(['would_accept', 'would_refuse']);
    expect(dry[1]?.detail).toMatch(/^validation_failed: .*\/to/);
    expect(await h.publishedEvents()).toHaveLength(0);
    expect((await replayOf(fixable, since)).replay).toBeUndefined();

    const first = await run({ since });
    expect(first.map((line) => [line.action, line.outcome?.result, line.outcome?.statusCode])).toEqual([
      ['replayed', 'accepted', 200],
      ['replayed', 'refused', 400],
    ]);
    expect(first[1]?.outcome?.message).toMatch(/^validation_failed/);
    expect(await h.eventsFor(trackingId)).toHaveLength(1);
    expect((await h.eventsFor(trackingId))[0]).toMatchObject({ detailType: 'MMS Delivered', detail: { trackingId, isLatest: true } });
    expect((await replayOf(fixable, since)).replay).toMatchObject({ result: 'accepted', statusCode: 200, postbackId: expect.any(String) });
    expect(await h.state(trackingId)).toMatchObject({ code: 'N102' });

    const second = await run({ since });
    expect(second.map((line) => [line.action, line.outcome?.result])).toEqual([
      ['skipped', undefined],
      ['replayed', 'refused'],
    ]);
    expect(await h.publishedEvents()).toHaveLength(1);
    // A replay still refused is written on the original record, not kept as a new one.
    const all: unknown[] = [];
    for await (const record of records.listRejected(since, new Date(Date.now() + 60_000))) all.push(record);
    expect(all).toHaveLength(2);
  });

  it('--dry-run reads an XML record as the handler does: it would be accepted, with the postbackId the replay then gets', async () => {
    const since = new Date(); // only the records of this test
    const trackingId = `replay-${randomUUID()}`;
    await keptByEarlierVersion({ ...fixture('n102'), 'tracking-id': trackingId }, new Date(), 'xml');

    const dry = await run({ since, dryRun: true });
    const replayed = await run({ since });

    expect(replayed.map((line) => line.outcome?.result)).toEqual(['accepted']);
    expect(dry.map((line) => [line.action, line.detail])).toEqual([['would_accept', `postbackId ${replayed[0]?.outcome?.postbackId}`]]);
    expect(await h.eventsFor(trackingId)).toHaveLength(1);
    expect((await h.eventsFor(trackingId))[0]?.detail).toMatchObject({ format: 'xml' });
  });

  it('when marking the record fails after the replay was accepted, the next run finds a duplicate: still one event', async () => {
    const since = new Date(); // only the records of this test
    const trackingId = `replay-${randomUUID()}`;
    const requestId = await keptByEarlierVersion({ ...fixture('n101'), 'tracking-id': trackingId });
    // The real adapter, whose write of the outcome fails once (an injected DynamoDB fault).
    let failures = 1;
    const flaky: RejectedRecords = {
      listRejected: (s, u) => records.listRejected(s, u),
      markRejectedOutcome: async (key, outcome) => {
        if (failures-- > 0) throw new Error('injected DynamoDB fault');
        return records.markRejectedOutcome(key, outcome);
      },
    };

    await expect(run({ since, records: flaky })).rejects.toThrow('injected DynamoDB fault');
    const again = await run({ since });

    expect(again.map((line) => line.outcome?.result)).toEqual(['duplicate']);
    expect(await h.eventsFor(trackingId)).toHaveLength(1);
    expect((await replayOf(requestId, since)).replay).toMatchObject({ result: 'duplicate' });
  });

  it('does not replay a record whose body was cut at the size limit', async () => {
    const since = new Date(); // only the records of this test
    const big = await h.post(JSON.stringify({ ...fixture('n101'), padding: 'x'.repeat(70 * 1024) }));
    expect(big.statusCode).toBe(413);

    const lines = await run({ since });

    expect(lines.map((line) => line.outcome?.result)).toEqual(['not_replayable']);
    expect(await h.publishedEvents()).toHaveLength(0);
  });
});

describe('replay-rejected sends what the sender sent: the kept bytes with the kept content type', () => {
  const postBytes = (bytes: Buffer, contentType: string) =>
    h.post(bytes.toString('base64'), { isBase64Encoded: true, headers: { 'x-postback-token': TEST_SECRET, 'content-type': contentType } });

  /** The dry run's prediction and the real run's outcome of the one record of this test. */
  async function dryThenReal(since: Date) {
    const dry = await run({ since, dryRun: true });
    const real = await run({ since });
    expect(dry).toHaveLength(1);
    expect(real).toHaveLength(1);
    return { dry: dry[0] as ReplayLine, real: real[0] as ReplayLine };
  }

  it('a body refused because its bytes are not valid UTF-8 is refused again, for the same reason, and the dry run says so', async () => {
    const since = new Date(); // only the records of this test
    const trackingId = `replay-${randomUUID()}`;
    const text = JSON.stringify({ ...fixture('n101'), 'tracking-id': trackingId, 'status-details': 'Jos\u00e9' });
    const bytes = Buffer.from(text, 'latin1'); // é as the one byte e9: not UTF-8
    const refused = await postBytes(bytes, 'application/json');
    expect(refused.body).toMatchObject({ error: 'invalid_json', message: 'body is not valid utf-8' });
    expect(Buffer.from((await replayOf(String(refused.body.requestId), since)).bodyBytes ?? [])).toEqual(bytes);

    const { dry, real } = await dryThenReal(since);

    expect(real.outcome).toMatchObject({ result: 'refused', statusCode: 400, message: 'invalid_json: body is not valid utf-8' });
    expect(dry).toMatchObject({ action: 'would_refuse', detail: real.outcome?.message });
    expect(real.note).toBeUndefined();
    expect(await h.state(trackingId)).toBeUndefined();
    expect(await h.eventsFor(trackingId)).toHaveLength(0);
  });

  it('a UTF-16 body is read as UTF-16 again: refused for its real reason, not as invalid_json', async () => {
    const since = new Date(); // only the records of this test
    const trackingId = `replay-${randomUUID()}`;
    const text = JSON.stringify({ ...fixture('n101'), 'tracking-id': trackingId, to: 'not-a-number' });
    const refused = await postBytes(Buffer.from(text, 'utf16le'), 'application/json; charset=utf-16');
    expect(refused.body).toMatchObject({ error: 'validation_failed' });

    const { dry, real } = await dryThenReal(since);

    expect(real.outcome).toMatchObject({
      result: 'refused',
      statusCode: 400,
      message: expect.stringMatching(/^validation_failed: .*\/to/),
    });
    expect(dry).toMatchObject({ action: 'would_refuse', detail: real.outcome?.message });
  });

  it('an ISO-8859-1 body is stored and published as the text the sender meant, and the dry run predicts its postbackId', async () => {
    const since = new Date(); // only the records of this test
    const trackingId = `replay-${randomUUID()}`;
    const postback = { ...fixture('n102'), 'tracking-id': trackingId, 'status-details': 'Entregado a José, 3 ñ' };
    const bytes = Buffer.from(JSON.stringify(postback), 'latin1');
    // Kept by an earlier version (refused then for a cause since fixed), with its bytes.
    await h.store().saveRejected({
      requestId: randomUUID(),
      receivedAt: new Date(),
      statusCode: 400,
      reason: 'validation_failed',
      message: 'the postback does not match the schema',
      contentType: 'application/json; charset=ISO-8859-1',
      body: bytes.toString('latin1'),
      bodyBytes: bytes,
      truncated: false,
    });

    const { dry, real } = await dryThenReal(since);

    expect(real.outcome).toMatchObject({ result: 'accepted', statusCode: 200 });
    expect(dry).toMatchObject({ action: 'would_accept', detail: `postbackId ${real.outcome?.postbackId}` });
    expect(await h.state(trackingId)).toMatchObject({ statusDetails: 'Entregado a José, 3 ñ' });
    expect((await h.eventsFor(trackingId)).map((e) => e.detail.statusDetails)).toEqual(['Entregado a José, 3 ñ']);
  });

  it('a record kept before the bytes were replays its text as before, and its line says so', async () => {
    const since = new Date(); // only the records of this test
    const trackingId = `replay-${randomUUID()}`;
    await keptByEarlierVersion({ ...fixture('n102'), 'tracking-id': trackingId });

    const { dry, real } = await dryThenReal(since);

    expect(real).toMatchObject({ action: 'replayed', outcome: { result: 'accepted' }, note: FROM_TEXT_NOTE });
    expect(dry).toMatchObject({ action: 'would_accept', note: FROM_TEXT_NOTE });
    expect(formatLine(real)).toMatch(
      /accepted \(200\) postbackId [0-9a-f]{32} \(kept without its original bytes: sent as its decoded text in UTF-8\)$/,
    );
  });
});

describe('npm run replay-rejected', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) } };
  };

  it('replays through the SDK default chain against the given table, prints one line per record, and the event follows from the stream', async () => {
    const trackingId = `replay-cli-${randomUUID()}`;
    await keptByEarlierVersion({ ...fixture('n003'), 'tracking-id': trackingId }, new Date(Date.now() - 30 * 60_000));
    const { out, io: streams } = io();

    const code = await main(['--since', '45m', '--until', '15m', '--table', h.table.tableName], streams);

    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/replayed\s+accepted \(200\) postbackId [0-9a-f]{32}/);
    expect(out.at(-1)).toBe('1 record(s): 1 accepted');
    expect(await h.eventsFor(trackingId)).toHaveLength(1);
  });

  it('prints no AWS SDK Node-version warning (the npm script preloads scripts/cli-preload.ts)', async () => {
    const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _off, ...env } = process.env;
    const args = ['run', '--silent', 'replay-rejected', '--', '--since', '1m', '--dry-run', '--table', h.table.tableName];

    const { stdout, stderr } = await runProgram('npm', args, { cwd: path.resolve(__dirname, '../..'), env });

    expect(stdout).toMatch(/^\d+ record\(s\)/m);
    expect(stderr).not.toMatch(/NodeVersionSupportWarning/);
  });

  it('refuses bad arguments with the usage', async () => {
    for (const argv of [[], ['--since', 'yesterday'], ['--since', '1h', '--until', '2h'], ['--since', '1h', '--bogus']]) {
      const { err, io: streams } = io();
      expect(await main([...argv, '--table', 't'], streams)).toBe(2);
      expect(err.join('\n')).toMatch(/^replay-rejected: .*\n\nusage: npm run replay-rejected/s);
    }
  });
});
