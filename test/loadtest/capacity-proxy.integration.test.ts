/**
 * The capacity proxy in front of the real DynamoDB Local: the caller's requests go through
 * unchanged in effect (DynamoDB Local accepts the body with `ReturnConsumedCapacity` added
 * under the caller's signature), DynamoDB Local's own figure is recorded, and the write
 * units are charged by DynamoDB's rules per table, index and partition key.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { TABLE_DEFINITION } from '../../lambda/table/table-definition';
import { type CapacityProxy, startCapacityProxy, summarizeCapacity } from '../../loadtest/capacity-proxy';
import { tableShape } from '../../loadtest/capacity-rules';
import { createTestTable, type TestTable } from '../helpers/ddb-table';

const shape = tableShape(TABLE_DEFINITION);
const index = shape.indexes[0];
let table: TestTable;
let proxy: CapacityProxy;
let client: DynamoDBClient;

beforeAll(async () => {
  table = await createTestTable('capacity');
  proxy = await startCapacityProxy(String(process.env.AWS_ENDPOINT_URL_DYNAMODB), table.tableName, shape);
  client = new DynamoDBClient({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await proxy.close();
  await table.drop();
});

/** The records of what `act` sends. */
async function measure(act: () => Promise<unknown>) {
  const mark = proxy.records.length;
  await act().catch(() => undefined);
  return summarizeCapacity(proxy.records.slice(mark));
}

it('forwards the request (the item is written) and records both figures for a plain put', async () => {
  const Item = { pk: { S: 'cap#1' }, sk: { S: 'a' }, body: { S: 'x'.repeat(1500) } };
  const s = await measure(() => client.send(new PutItemCommand({ TableName: table.tableName, Item })));

  const stored = await table.client.send(new GetItemCommand({ TableName: table.tableName, Key: { pk: Item.pk, sk: Item.sk } }));
  expect(stored.Item?.body?.S).toHaveLength(1500);
  expect(s.wruRules).toBe(2);
  expect(s.wruLocal).toBe(2);
  expect(s.heat.get('table')?.get('cap#1')).toBe(2);
});

it('charges a transaction twice per KB of each item, and an update on the larger image', async () => {
  const s = await measure(() =>
    client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: table.tableName, Item: { pk: { S: 'cap#2' }, sk: { S: 'h' }, v: { S: 'small' } } } },
          {
            Update: {
              TableName: table.tableName,
              Key: { pk: { S: 'cap#2' }, sk: { S: 'STATE' } },
              UpdateExpression: 'SET v = :v',
              ExpressionAttributeValues: { ':v': { S: 'y'.repeat(2000) } },
            },
          },
        ],
      }),
    ),
  );
  expect(s.wruRules).toBe(2 * 1 + 2 * 2);
  expect(s.heat.get('table')?.get('cap#2')).toBe(6);
});

it('charges a failed conditional write on the existing item (DynamoDB Local reports nothing)', async () => {
  const s = await measure(() =>
    client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: { pk: { S: 'cap#1' }, sk: { S: 'a' } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  expect(s.wruRules).toBe(2);
  expect(s.wruLocal).toBe(0);
});

it('charges index writes on the index partition key: a put, then a key change as delete + put', async () => {
  if (!index) throw new Error('the table definition has no index');
  const key = { pk: { S: 'cap#3' }, sk: { S: 'STATE' } };
  const indexed = (sortValue: string) => ({
    ...key,
    [index.partitionKey]: { S: 'campaign-x' },
    ...(index.sortKey ? { [index.sortKey]: { S: sortValue } } : {}),
  });
  const first = await measure(() => client.send(new PutItemCommand({ TableName: table.tableName, Item: indexed('1') })));
  expect(first.heat.get(index.indexName)?.get('campaign-x')).toBe(1);

  const update = await measure(() =>
    client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: key,
        UpdateExpression: 'SET #k = :k',
        ExpressionAttributeNames: { '#k': index.sortKey ?? index.partitionKey },
        ExpressionAttributeValues: { ':k': { S: index.sortKey ? '2' : 'campaign-y' } },
      }),
    ),
  );
  expect(update.byTarget[index.indexName]?.rules).toBe(2);
});
