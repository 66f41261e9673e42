/**
 * The write units of a new postback, read from the transaction the DynamoDB store sends
 * (captured by a client that records the commands; DynamoDB Local does not report consumed
 * capacity for transactions). DynamoDB's rules: an item written in a transaction costs 2
 * write units per KB, a GSI entry written or removed 1 (the indexes are KEYS_ONLY, items
 * under 1 KB)
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-capacity-handling,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations.Writes).
 * Budget: at most 6 for the first postback of a message, 5 for a later one, with the
 * status-unknown sweep on.
 */
import { TransactWriteItemsCommand, type TransactWriteItemsInput } from '@aws-sdk/client-dynamodb';
import { DynamoDbStore } from '../../../lambda/adapters/dynamodb-store';
import { ATTRIBUTE } from '../../../lambda/table/attributes';
import { clientReferenceIndexKeys } from '../../../lambda/table/client-reference-index';
import { TABLE_DEFINITION } from '../../../lambda/table/table-definition';
import { fixture, interpreted } from '../../helpers/fixtures';

const sent: TransactWriteItemsInput[] = [];
const store = new DynamoDbStore({
  client: {
    send: async (command: unknown) => {
      if (command instanceof TransactWriteItemsCommand) sent.push(command.input);
      return {};
    },
  } as never,
  tableName: 't',
  historyRetentionDays: 90,
  rejectedRetentionDays: 14,
  statusUnknownAfterSeconds: 72 * 3600,
});

/** Every attribute that is a key of some GSI of the table. */
const indexKeyAttributes = new Set<string>(
  TABLE_DEFINITION.globalSecondaryIndexes.flatMap((gsi) => [gsi.partitionKey.name, gsi.sortKey.name]),
);

/** Write units of one captured transaction: 2 per item (under 1 KB), plus 1 per GSI whose key attributes the items set or remove. */
function writeUnits(input: TransactWriteItemsInput): { items: number; indexWrites: string[] } {
  const indexWrites: string[] = [];
  for (const item of input.TransactItems ?? []) {
    const put = item.Put?.Item;
    if (put) {
      for (const gsi of TABLE_DEFINITION.globalSecondaryIndexes) if (put[gsi.partitionKey.name]) indexWrites.push(gsi.indexName);
      expect(JSON.stringify(put).length).toBeLessThan(1024);
    }
    const update = item.Update;
    if (update) {
      const touched = new Set(Object.values(update.ExpressionAttributeNames ?? {}).filter((name) => indexKeyAttributes.has(name)));
      for (const gsi of TABLE_DEFINITION.globalSecondaryIndexes) if (touched.has(gsi.partitionKey.name)) indexWrites.push(gsi.indexName);
    }
  }
  return { items: input.TransactItems?.length ?? 0, indexWrites };
}

describe('write units of a new postback (one transaction, nothing else)', () => {
  beforeEach(() => {
    sent.length = 0;
  });

  it('the first postback of a message: history put + state update (2 × 2) + the status-due and client-reference index entries = 6', async () => {
    const body = { ...fixture('n101'), 'tracking-id': 'wu-first' };
    await store.save(interpreted(body, new Date()), JSON.stringify(body), new Date());

    expect(sent).toHaveLength(1);
    const { items, indexWrites } = writeUnits(sent[0] as TransactWriteItemsInput);
    expect(items).toBe(2);
    expect(indexWrites.sort()).toEqual(['byClientReference', 'byStatusDue']);
    expect(2 * items + indexWrites.length).toBeLessThanOrEqual(6);
    // Nothing that only tracked publication is written any more.
    expect(JSON.stringify(sent[0])).not.toMatch(/publishState|leaseExpiresAt|relayShard/);
    expect(sent[0]?.TransactItems?.[0]?.Put?.Item?.[ATTRIBUTE.isLatest]).toEqual({ BOOL: true });
  });

  it('a later (final) postback: history put + state update (2 × 2) + removing the status-due entry = 5 (the client-reference entry does not change)', async () => {
    const body = { ...fixture('n102'), 'tracking-id': 'wu-later' };
    await store.save(interpreted(body, new Date()), JSON.stringify(body), new Date());

    const { items, indexWrites } = writeUnits(sent[0] as TransactWriteItemsInput);
    // The client-reference keys are SET to the values the message already has (the same reference):
    // DynamoDB writes nothing to a keys-only index when an update changes none of its keys.
    const update = sent[0]?.TransactItems?.[1]?.Update;
    const names = Object.entries(update?.ExpressionAttributeNames ?? {});
    const setValueOf = (attribute: string) => {
      const placeholder = names.find(([, name]) => name === attribute)?.[0] ?? '';
      const value = new RegExp(`${placeholder} = (:\\w+)`).exec(update?.UpdateExpression ?? '')?.[1] ?? '';
      return update?.ExpressionAttributeValues?.[value]?.S;
    };
    expect({
      [ATTRIBUTE.clientReferenceKey]: setValueOf(ATTRIBUTE.clientReferenceKey),
      [ATTRIBUTE.clientReferenceSortKey]: setValueOf(ATTRIBUTE.clientReferenceSortKey),
    }).toEqual(clientReferenceIndexKeys('send-001', 'wu-later'));
    const statusDue = indexWrites.filter((name) => name === 'byStatusDue');
    expect(items).toBe(2);
    expect(2 * items + statusDue.length).toBeLessThanOrEqual(5);
  });
});
