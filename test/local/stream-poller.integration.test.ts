/**
 * The local event source mapping against a real stream: DynamoDB Local's, read with the SDK's
 * DynamoDB Streams client. The handler here is a recording test handler (the publisher runs
 * through it in `local-run.integration.test.ts`); it fails on demand to show the mapping's
 * partial-batch, bisect, retry and on-failure rules.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { PUBLISHER_STREAM_FILTER } from '../../lambda/publisher/stream-filter';
import { type DiscardedBatch, StreamPoller, type StreamPollerOptions } from '../../local/stream-poller';
import { createTestTable, type TestTable } from '../helpers/ddb-table';
import { sleep, until } from '../helpers/until';

jest.setTimeout(60_000);

const historyKey = (trackingId: string, i: number) => `H#2026-04-24T18:30:${String(i).padStart(2, '0')}.000Z#pb-${trackingId}-${i}`;

async function putHistory(table: TestTable, trackingId: string, i: number): Promise<void> {
  await table.client.send(
    new PutItemCommand({
      TableName: table.tableName,
      Item: {
        pk: { S: `MSG#${trackingId}` },
        sk: { S: historyKey(trackingId, i) },
        postbackId: { S: `pb-${trackingId}-${i}` },
        n: { N: String(i) },
      },
    }),
  );
}

const postbackIds = (records: readonly DynamoDBRecord[]) =>
  records.map((r) => (r.dynamodb?.NewImage as Record<string, { S: string }> | undefined)?.postbackId?.S);

describe('StreamPoller (local event source mapping)', () => {
  let table: TestTable;
  let dir: string;
  let poller: StreamPoller | undefined;
  const endpoint = () => process.env.AWS_ENDPOINT_URL_DYNAMODB as string;

  beforeEach(async () => {
    table = await createTestTable('poller');
    dir = mkdtempSync(path.join(os.tmpdir(), 'poller-'));
  });
  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
    await table.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (handler: StreamPollerOptions['handler'], extra: Partial<StreamPollerOptions> = {}) => {
    poller = new StreamPoller({
      endpoint: endpoint(),
      tableName: table.tableName,
      handler,
      filters: [PUBLISHER_STREAM_FILTER],
      batchSize: 10,
      maxBatchingWindowMs: 200,
      retryAttempts: 2,
      timeoutMs: 30_000,
      pollIntervalMs: 50,
      retryDelayMs: () => 20,
      failuresFile: path.join(dir, 'publish-failures.jsonl'),
      ...extra,
    });
    await poller.start();
    return poller;
  };

  it('delivers only history inserts, in the Lambda shape, in stream order, from TRIM_HORIZON, at most batchSize per invocation', async () => {
    // Written before the poller starts: TRIM_HORIZON reads them all.
    for (let i = 0; i < 23; i++) await putHistory(table, 'a', i);
    await table.client.send(
      new PutItemCommand({ TableName: table.tableName, Item: { pk: { S: 'MSG#a' }, sk: { S: 'STATE' }, code: { S: 'N101' } } }),
    );
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: 'MSG#a' }, sk: { S: historyKey('a', 0) } },
        UpdateExpression: 'SET touched = :t',
        ExpressionAttributeValues: { ':t': { BOOL: true } },
      }),
    );
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: { pk: { S: 'REJECTED#2026-04-24#03' }, sk: { S: '2026-04-24T18:30:00.000Z#req-1' } },
      }),
    );
    const batches: DynamoDBStreamEvent[] = [];
    const p = await start(async (event) => {
      batches.push(event);
      return { batchItemFailures: [] };
    });
    await until('23 records', () => batches.flatMap((b) => b.Records).length >= 23, 20_000);
    await sleep(500); // nothing else may come (the state, the MODIFY, the rejected record)
    const records = batches.flatMap((b) => b.Records);
    expect(postbackIds(records)).toEqual(Array.from({ length: 23 }, (_, i) => `pb-a-${i}`));
    expect(Math.max(...batches.map((b) => b.Records.length))).toBeLessThanOrEqual(10);
    expect(records[0]).toEqual(
      expect.objectContaining({
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        eventSourceARN: p.arn,
        dynamodb: expect.objectContaining({
          Keys: { pk: { S: 'MSG#a' }, sk: { S: historyKey('a', 0) } },
          NewImage: expect.objectContaining({ postbackId: { S: 'pb-a-0' }, n: { N: '0' } }),
          SequenceNumber: expect.any(String),
          StreamViewType: 'NEW_IMAGE',
          ApproximateCreationDateTime: expect.any(Number),
        }),
      }),
    );
    expect(p.stats).toEqual(
      expect.objectContaining({ recordsDelivered: 23, recordsRedelivered: 0, recordsDiscarded: 0, recordsFilteredOut: 3 }),
    );
  });

  it('resumes from the first reported sequence number: the records before it are not delivered again', async () => {
    for (let i = 0; i < 5; i++) await putHistory(table, 'b', i);
    const seen: (string | undefined)[][] = [];
    let failOnce = true;
    const p = await start(
      async (event): Promise<DynamoDBBatchResponse> => {
        seen.push(postbackIds(event.Records));
        if (failOnce && event.Records.length === 5) {
          failOnce = false;
          // Two failures reported: Lambda retries from the lowest sequence number.
          return {
            batchItemFailures: [
              { itemIdentifier: event.Records[3]?.dynamodb?.SequenceNumber as string },
              { itemIdentifier: event.Records[2]?.dynamodb?.SequenceNumber as string },
            ],
          };
        }
        return { batchItemFailures: [] };
      },
      { maxBatchingWindowMs: 1000 },
    );
    await until('the retry', () => seen.length >= 2, 20_000);
    expect(seen).toEqual([
      ['pb-b-0', 'pb-b-1', 'pb-b-2', 'pb-b-3', 'pb-b-4'],
      ['pb-b-2', 'pb-b-3', 'pb-b-4'],
    ]);
    expect(p.stats.recordsRedelivered).toBe(3);
    expect(Object.fromEntries(p.stats.redeliveredPostbackIds)).toEqual({ 'pb-b-2': 2, 'pb-b-3': 2, 'pb-b-4': 2 });
  });

  it('an identifier that is not in the batch fails the whole batch, which is retried whole', async () => {
    for (let i = 0; i < 3; i++) await putHistory(table, 'c', i);
    const seen: (string | undefined)[][] = [];
    await start(
      async (event) => {
        seen.push(postbackIds(event.Records));
        return seen.length === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-a-sequence-number' }] } : { batchItemFailures: [] };
      },
      { maxBatchingWindowMs: 1000, bisectOnError: false },
    );
    await until('the retry', () => seen.length >= 2, 20_000);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[0]).toHaveLength(3);
  });

  it('bisects a batch whose invocation throws, retries the failing record a bounded number of times, then records it as given up and goes on', async () => {
    for (let i = 0; i < 4; i++) await putHistory(table, 'd', i);
    const seen: (string | undefined)[][] = [];
    const discarded: DiscardedBatch[] = [];
    const p = await start(
      async (event) => {
        const ids = postbackIds(event.Records);
        seen.push(ids);
        if (ids.includes('pb-d-1')) throw new Error('poison record');
        return undefined;
      },
      { maxBatchingWindowMs: 1000, retryAttempts: 2, onDiscard: (b) => discarded.push(b) },
    );
    await until('the records after the poison one', () => seen.some((ids) => ids.length === 2 && ids.includes('pb-d-3')), 20_000);
    expect(seen).toEqual([
      ['pb-d-0', 'pb-d-1', 'pb-d-2', 'pb-d-3'], // throws: split in two
      ['pb-d-0', 'pb-d-1'], // throws: split again
      ['pb-d-0'],
      ['pb-d-1'], // throws: retried twice, then given up
      ['pb-d-1'],
      ['pb-d-1'],
      ['pb-d-2', 'pb-d-3'],
    ]);
    expect(discarded).toEqual([
      expect.objectContaining({
        reason: 'retries exhausted after a function error',
        error: 'poison record',
        attempts: 2,
        batchSize: 1,
        records: [expect.objectContaining({ postbackId: 'pb-d-1' })],
      }),
    ]);
    const file = path.join(dir, 'publish-failures.jsonl');
    expect(existsSync(file)).toBe(true);
    expect(
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).records[0].postbackId),
    ).toEqual(['pb-d-1']);
    expect(p.stats.recordsDiscarded).toBe(1);
  });

  it('invokes nothing after stop(): the invocation under way finishes, its bisected halves are not delivered', async () => {
    for (let i = 0; i < 4; i++) await putHistory(table, 'e', i);
    const seen: (string | undefined)[][] = [];
    let stopped: Promise<void> | undefined;
    const p = await start(
      async (event) => {
        seen.push(postbackIds(event.Records));
        stopped ??= p.stop();
        throw new Error('EventBridge unavailable');
      },
      { maxBatchingWindowMs: 1000 },
    );
    await until('the first invocation', () => stopped !== undefined, 20_000);
    await stopped;
    expect(seen).toEqual([['pb-e-0', 'pb-e-1', 'pb-e-2', 'pb-e-3']]);
    expect(p.stats.recordsDiscarded).toBe(0);
  });

  it('refuses a table without a stream, naming it', async () => {
    const { DynamoDBClient, CreateTableCommand, DeleteTableCommand } = await import('@aws-sdk/client-dynamodb');
    const client = new DynamoDBClient({
      endpoint: endpoint(),
      region: 'us-east-1',
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
    const name = `nostream-${Date.now()}`;
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    try {
      const noStream = new StreamPoller({
        endpoint: endpoint(),
        tableName: name,
        handler: async () => undefined,
        filters: [],
        batchSize: 10,
        maxBatchingWindowMs: 0,
        retryAttempts: 0,
        timeoutMs: 1000,
      });
      await expect(noStream.start()).rejects.toThrow(`table ${name} has no stream`);
      await noStream.stop();
    } finally {
      await client.send(new DeleteTableCommand({ TableName: name }));
      client.destroy();
    }
  });
});
