import { DynamoDbStore } from '../../lambda/adapters/dynamodb-store';
import { createTestTable, type TestTable } from '../helpers/ddb-table';
import { describePostbackStoreContract } from './postback-store-contract';

let table: TestTable | undefined;
afterAll(() => table?.drop());

describePostbackStoreContract('the DynamoDB store (on DynamoDB Local)', async () => {
  table = await createTestTable('contract');
  return new DynamoDbStore({
    client: table.client,
    tableName: table.tableName,
    historyRetentionDays: 1,
    rejectedRetentionDays: 1,
  });
});
