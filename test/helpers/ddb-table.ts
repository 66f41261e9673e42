import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../local/dynamodb-local';

export interface TestTable {
  tableName: string;
  client: DynamoDBClient;
  /** Deletes the table and destroys the client. */
  drop(): Promise<void>;
}

/**
 * A fresh, uniquely named table (from the stack's definition) on the DynamoDB Local that
 * `jest.global-setup.ts` started (`AWS_ENDPOINT_URL_DYNAMODB`).
 *
 * @example
 * let table: TestTable;
 * beforeAll(async () => { table = await createTestTable('ingest'); });
 * afterAll(() => table.drop());
 */
export async function createTestTable(prefix = 'test'): Promise<TestTable> {
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (!endpoint)
    throw new Error(
      'AWS_ENDPOINT_URL_DYNAMODB is not set: DynamoDB Local runs only in the integration tier (jest.global-setup.ts); name the test file *.integration.test.ts',
    );
  const client = new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  return {
    tableName,
    client,
    async drop() {
      try {
        await client.send(new DeleteTableCommand({ TableName: tableName }));
      } finally {
        client.destroy();
      }
    },
  };
}
