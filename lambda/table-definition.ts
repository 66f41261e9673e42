/**
 * The DynamoDB table layout, as plain data: one source of truth for the CDK stack
 * (`lib/`), the local run (`local/`), the test fixtures and the store adapter.
 *
 * Items (single-table design):
 *
 * | item | pk | sk | TTL |
 * | --- | --- | --- | --- |
 * | latest state of a message | `MSG#<trackingId>` | `STATE` | history retention, refreshed on change |
 * | one accepted postback (history) | `MSG#<trackingId>` | `H#<instant>#<postbackId>` | history retention |
 * | refused but authenticated postback | `REJECTED#<yyyy-mm-dd>` | `<receivedAt>#<requestId>` | 14 days |
 *
 * Only state items carry `clientReference`, so the sparse index `byClientReference`
 * lists messages, never history or rejected records.
 */
export const TABLE_DEFINITION = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    {
      indexName: 'byClientReference',
      partitionKey: { name: 'clientReference', type: 'S' },
      sortKey: { name: 'tsKey', type: 'S' },
      /** The query API answers whole states from the index. */
      projection: 'ALL',
    },
  ],
} as const;

/** Key prefixes and fixed sort keys of the items described above. */
export const KEYS = {
  messagePrefix: 'MSG#',
  stateSortKey: 'STATE',
  historyPrefix: 'H#',
  rejectedPrefix: 'REJECTED#',
} as const;

export type TableDefinition = typeof TABLE_DEFINITION;

/**
 * The `CreateTable` input for this definition, used by the local run and the tests
 * (the CDK stack builds the same table from {@link TABLE_DEFINITION} with `dynamodb.TableV2`).
 *
 * @example
 * await client.send(new CreateTableCommand(createTableInput('postbacks')));
 */
export function createTableInput(tableName: string) {
  const attributes = new Map<string, 'S' | 'N'>();
  const keySchema = (pk: { name: string; type: 'S' | 'N' }, sk?: { name: string; type: 'S' | 'N' }) => {
    attributes.set(pk.name, pk.type);
    const schema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[] = [{ AttributeName: pk.name, KeyType: 'HASH' }];
    if (sk) {
      attributes.set(sk.name, sk.type);
      schema.push({ AttributeName: sk.name, KeyType: 'RANGE' });
    }
    return schema;
  };
  const KeySchema = keySchema(TABLE_DEFINITION.partitionKey, TABLE_DEFINITION.sortKey);
  const GlobalSecondaryIndexes = TABLE_DEFINITION.globalSecondaryIndexes.map((gsi) => ({
    IndexName: gsi.indexName,
    KeySchema: keySchema(gsi.partitionKey, gsi.sortKey),
    Projection: { ProjectionType: gsi.projection },
  }));
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema,
    GlobalSecondaryIndexes,
  };
}

/**
 * Write units per second a new on-demand table, and each of its indexes, serves at once
 * before it has scaled up: DynamoDB's initial warm throughput of on-demand tables. The
 * partition-heat simulation (`npm run loadtest -- --campaign`) holds a campaign to it.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/warm-throughput.html
 */
export const DEFAULT_WARM_WRITE_UNITS_PER_SECOND = 4_000;

/**
 * Write units per second one partition key value can take, on the table or on an index.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html
 */
export const PARTITION_KEY_WRITE_UNITS_PER_SECOND = 1_000;
