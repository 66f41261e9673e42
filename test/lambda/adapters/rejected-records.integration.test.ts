/**
 * Rejected records against DynamoDB Local: written by the store (and the real ingest
 * handler) into day-and-shard partitions, listed across days and shards in receipt order,
 * and marked with a replay outcome.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDbStore } from '../../../lambda/adapters/dynamodb-store';
import { DynamoDbRejectedRecords, daysOf, RejectedRecordGoneError } from '../../../lambda/adapters/rejected-records';
import type { RejectedPostback } from '../../../lambda/ports';
import { rejectedPartitionKey } from '../../../lambda/table/keys';
import { SHARD_COUNT, shardOf } from '../../../lambda/table/shards';
import { fixture } from '../../helpers/fixtures';
import { type IngestHarness, startIngestHarness, TEST_SECRET } from '../../helpers/ingest-harness';

let h: IngestHarness;
let store: DynamoDbStore;
let records: DynamoDbRejectedRecords;
beforeAll(async () => {
  h = await startIngestHarness();
  store = h.store();
  records = new DynamoDbRejectedRecords(h.table.client, h.table.tableName);
});
afterAll(() => h.close());

const rejected = (receivedAt: string, requestId: string = randomUUID()): RejectedPostback => ({
  requestId,
  receivedAt: new Date(receivedAt),
  statusCode: 400,
  reason: 'validation_failed',
  message: 'fails the schema',
  details: [{ path: '/to', message: 'must match pattern' }],
  contentType: 'application/json',
  sourceIp: '203.0.113.10',
  body: '{"to":"x"}',
  truncated: false,
});

async function list(since: string, until: string) {
  const out = [];
  for await (const record of records.listRejected(new Date(since), new Date(until))) out.push(record);
  return out;
}

describe('daysOf', () => {
  it.each([
    ['2026-04-24T10:00:00Z', '2026-04-24T11:00:00Z', ['2026-04-24']],
    ['2026-04-24T23:00:00Z', '2026-04-26T00:00:00Z', ['2026-04-24', '2026-04-25']],
    ['2026-04-24T23:00:00Z', '2026-04-26T00:00:00.001Z', ['2026-04-24', '2026-04-25', '2026-04-26']],
    ['2026-02-28T00:00:00Z', '2026-03-01T12:00:00Z', ['2026-02-28', '2026-03-01']],
    ['2026-04-24T10:00:00Z', '2026-04-24T10:00:00Z', []],
    ['2026-04-25T10:00:00Z', '2026-04-24T10:00:00Z', []],
  ])('[%s, %s) touches %j', (since, until, days) => {
    expect(daysOf(new Date(since), new Date(until))).toEqual(days);
  });
});

describe('listRejected and markRejectedOutcome', () => {
  it('lists every record of the range across days and shards, oldest first, since inclusive and until exclusive', async () => {
    // 3 days × 8 records, 2 per instant, spread over the shards by their request ids.
    const run = randomUUID().slice(0, 8);
    const saved: RejectedPostback[] = [];
    for (const day of ['2030-01-01', '2030-01-02', '2030-01-03']) {
      for (let i = 0; i < 8; i++) {
        saved.push(rejected(`${day}T${String(Math.floor(i / 2) * 6).padStart(2, '0')}:00:00.000Z`, `${run}-${day}-${i}`));
      }
    }
    for (const record of saved) await store.saveRejected(record);
    expect(new Set(saved.map((r) => shardOf(r.requestId))).size).toBeGreaterThanOrEqual(SHARD_COUNT / 2);

    const all = await list('2030-01-01T00:00:00Z', '2030-01-04T00:00:00Z');
    const range = await list('2030-01-01T22:00:00Z', '2030-01-03T02:00:00Z');

    const byTime = (a: RejectedPostback, b: RejectedPostback) =>
      a.receivedAt.getTime() - b.receivedAt.getTime() || (a.requestId < b.requestId ? -1 : 1);
    expect(all.map((r) => r.requestId)).toEqual([...saved].sort(byTime).map((r) => r.requestId));
    const inRange = saved.filter(
      (r) => r.receivedAt >= new Date('2030-01-01T22:00:00Z') && r.receivedAt < new Date('2030-01-03T02:00:00Z'),
    );
    expect(range.map((r) => r.requestId)).toEqual(inRange.sort(byTime).map((r) => r.requestId));
    expect(range).toHaveLength(8 + 2);
    expect(all[0]).toMatchObject({
      statusCode: 400,
      reason: 'validation_failed',
      details: [{ path: '/to', message: 'must match pattern' }],
      contentType: 'application/json',
      body: '{"to":"x"}',
      truncated: false,
      key: { pk: expect.stringMatching(/^REJECTED#2030-01-01#\d\d$/), sk: expect.stringMatching(/^2030-01-01T00:00:00.000Z#/) },
    });
  });

  it('finds what the ingest handler refused, and keeps the replay outcome on it', async () => {
    const since = new Date();
    const requestIds: string[] = Array.from({ length: 6 }, () => randomUUID());
    for (const requestId of requestIds) {
      const res = await h.post({ ...fixture('n101'), to: 'not-a-number' }, { requestId, headers: { 'X-Postback-Token': TEST_SECRET } });
      expect(res.statusCode).toBe(400);
    }
    const found = (await list(since.toISOString(), new Date(Date.now() + 1000).toISOString())).filter((r) =>
      requestIds.includes(r.requestId),
    );
    expect(found.map((r) => r.requestId).sort()).toEqual([...requestIds].sort());
    expect(found.every((r) => r.replay === undefined)).toBe(true);

    const at = new Date('2030-01-05T00:00:00Z');
    await records.markRejectedOutcome(found[0]!.key, { result: 'accepted', statusCode: 200, postbackId: 'p-1', at });
    await records.markRejectedOutcome(found[1]!.key, { result: 'rejected', statusCode: 400, message: 'validation_failed', at });

    const after = (await list(since.toISOString(), new Date(Date.now() + 1000).toISOString())).filter((r) =>
      requestIds.includes(r.requestId),
    );
    const byId = new Map(after.map((r) => [r.requestId, r]));
    expect(byId.get(found[0]!.requestId)?.replay).toEqual({ result: 'accepted', statusCode: 200, postbackId: 'p-1', at });
    expect(byId.get(found[1]!.requestId)?.replay).toEqual({ result: 'rejected', statusCode: 400, message: 'validation_failed', at });
    expect(byId.get(found[2]!.requestId)?.replay).toBeUndefined();
  });

  it('refuses to mark a record that does not exist (instead of creating one)', async () => {
    const key = { pk: rejectedPartitionKey('2030-01-09', '00'), sk: `2030-01-09T00:00:00.000Z#${randomUUID()}` };
    await expect(records.markRejectedOutcome(key, { result: 'accepted', statusCode: 200, at: new Date() })).rejects.toBeInstanceOf(
      RejectedRecordGoneError,
    );
  });
});
