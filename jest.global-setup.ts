/**
 * Jest global setup: ONE DynamoDB Local for the whole run. Workers inherit its endpoint
 * through `AWS_ENDPOINT_URL_DYNAMODB` (and dummy region/credentials); each test file
 * creates its own uniquely named table (`test/helpers/ddb-table.ts`).
 */
import { type DynamoDbLocal, startDynamoDbLocal } from './local/dynamodb-local';

declare global {
  // eslint-disable-next-line no-var
  var __DYNAMODB_LOCAL__: DynamoDbLocal | undefined;
}

export default async function globalSetup(): Promise<void> {
  const ddb = await startDynamoDbLocal();
  globalThis.__DYNAMODB_LOCAL__ = ddb;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = ddb.endpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}
