import { ATTRIBUTE } from './attributes';

/**
 * The DynamoDB table layout, as plain data: one source of truth for the CDK stack
 * (`lib/`), the local run (`local/`), the test fixtures and the store adapters. The items
 * and their attributes are described, and their names spelled, in
 * `attributes.ts` (with the key prefixes in `keys.ts`); this module only says which of them are keys.
 *
 * Only state items with a listable client reference carry the `byClientReference` index
 * keys, so that sparse index lists messages, never history or rejected records. Its entry
 * is written once per message and never changes.
 *
 * Hot-key rule: one partition key of the table or of an index takes at most 1,000 write
 * units per second
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html),
 * so every key that a burst can share (one client reference for a whole campaign, a day of
 * rejected records) is spread over the write shards of the item vocabulary.
 */

/**
 * The sparse, keys-only index of messages by client reference. Its entry follows the latest
 * state's reference: written by the first state with a listed reference, moved when a later
 * latest state changes it, unchanged (no index write) otherwise (see
 * `clientReferenceIndexUpdate` in the item vocabulary).
 */
export const CLIENT_REFERENCE_INDEX = {
  indexName: 'byClientReference',
  /** `<digest of the client reference>#<shard>`. */
  partitionKey: { name: ATTRIBUTE.clientReferenceKey, type: 'S' },
  /** The tracking-id: never changes, so a state change writes nothing to the index. */
  sortKey: { name: ATTRIBUTE.clientReferenceSortKey, type: 'S' },
  /** Keys only: the reader fetches the states with BatchGetItem. */
  projection: 'KEYS_ONLY',
} as const;

/**
 * The status-unknown index (`byStatusDue`): its key attributes on state items, spread over
 * the write shards. 16 shards keep each index partition far below the 1,000 write units per
 * second that one partition key takes, even when every message of a campaign enters or
 * leaves the index at 2,000 postbacks per second
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html).
 */
export const STATUS_DUE = {
  indexName: 'byStatusDue',
  shardAttribute: ATTRIBUTE.statusDueShard,
  dueAttribute: ATTRIBUTE.statusDueAt,
} as const;

export const TABLE_DEFINITION = {
  partitionKey: { name: ATTRIBUTE.partitionKey, type: 'S' },
  sortKey: { name: ATTRIBUTE.sortKey, type: 'S' },
  timeToLiveAttribute: ATTRIBUTE.expiresAt,
  /**
   * The table's stream: every write, with the item as it is after it (`NEW_IMAGE`). The
   * publisher reads the inserts of history entries from it (the outbox): the entry's new
   * image holds all its event is rebuilt from.
   */
  stream: 'NEW_IMAGE',
  globalSecondaryIndexes: [
    CLIENT_REFERENCE_INDEX,
    {
      /**
       * Sparse: only state items still waiting for a final postback carry its keys (set once,
       * with `if_not_exists`; removed by a final state). The status-unknown sweep queries each
       * shard for `statusDueAt <= now`. KEYS_ONLY, so a state change that keeps the keys writes
       * nothing to the index.
       */
      indexName: STATUS_DUE.indexName,
      partitionKey: { name: ATTRIBUTE.statusDueShard, type: 'S' },
      sortKey: { name: ATTRIBUTE.statusDueAt, type: 'N' },
      projection: 'KEYS_ONLY',
    },
  ],
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
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE_DEFINITION.stream },
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
