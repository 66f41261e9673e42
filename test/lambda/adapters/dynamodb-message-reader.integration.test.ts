/**
 * The client-reference listing against DynamoDB Local, with a stand-in in front of the
 * client that forces what DynamoDB Local never does: a BatchGetItem that leaves keys
 * unprocessed (as DynamoDB does under throttling or when a batch exceeds 16 MB).
 */
import { randomUUID } from 'node:crypto';
import { BatchGetItemCommand, type BatchGetItemCommandOutput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbMessageReader } from '../../../lambda/adapters/dynamodb-message-reader';
import { fixture } from '../../helpers/fixtures';
import { type IngestHarness, startIngestHarness } from '../../helpers/ingest-harness';

let h: IngestHarness;
const ref = `ref-${randomUUID()}`;
const ids = Array.from({ length: 5 }, (_, i) => `r-${i}-${randomUUID()}`);
beforeAll(async () => {
  h = await startIngestHarness();
  for (const id of ids) await h.post({ ...fixture('n101'), 'tracking-id': id, 'client-reference': ref });
});
afterAll(() => h.close());

/**
 * The real client, except that each BatchGetItem (up to `times` of them) is sent with its
 * first `processed` keys only and answers the other keys as `UnprocessedKeys`.
 */
function leavingKeysUnprocessed(times: number, processed = 1): { client: DynamoDBClient; batchGets: () => number } {
  const real = h.table.client;
  let batchGets = 0;
  const client = {
    async send(command: { input: unknown }) {
      if (!(command instanceof BatchGetItemCommand)) return real.send(command as never);
      batchGets += 1;
      if (batchGets > times) return real.send(command);
      const [tableName, request] = Object.entries(command.input.RequestItems ?? {})[0]!;
      const keys = request.Keys ?? [];
      const rest = keys.slice(processed);
      const out: BatchGetItemCommandOutput =
        processed === 0
          ? { $metadata: {} }
          : await real.send(new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: keys.slice(0, processed) } } }));
      return { ...out, UnprocessedKeys: rest.length > 0 ? { [tableName]: { Keys: rest } } : {} };
    },
  } as unknown as DynamoDBClient;
  return { client, batchGets: () => batchGets };
}

describe('DynamoDbMessageReader.listByClientReference', () => {
  it('requests unprocessed keys again until every state of the page is read', async () => {
    const { client, batchGets } = leavingKeysUnprocessed(3);
    const reader = new DynamoDbMessageReader(client, h.table.tableName);

    const page = await reader.listByClientReference(ref, 10);

    expect(page.items.map((item) => item.trackingId).sort()).toEqual([...ids].sort());
    expect(page.after).toBeUndefined();
    expect(batchGets()).toBe(4); // 3 answered one key each, the 4th the remaining 2
  });

  it('fails (the handler answers 503) when keys stay unprocessed after the last attempt', async () => {
    const { client } = leavingKeysUnprocessed(Number.POSITIVE_INFINITY, 0);
    const reader = new DynamoDbMessageReader(client, h.table.tableName);

    await expect(reader.listByClientReference(ref, 10)).rejects.toThrow('BatchGetItem left keys unprocessed after 5 attempts');
  });

  it('answers an empty page, without a BatchGetItem, for a reference nobody used', async () => {
    const { client, batchGets } = leavingKeysUnprocessed(0);
    const reader = new DynamoDbMessageReader(client, h.table.tableName);

    expect(await reader.listByClientReference(`ref-${randomUUID()}`, 10)).toEqual({ items: [], after: undefined });
    expect(batchGets()).toBe(0);
  });
});
