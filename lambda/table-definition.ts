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
 *
 * A history entry whose event is not out yet carries `relayShard` and `leaseExpiresAt`
 * (see {@link RELAY}); marking it published removes both, so the sparse index
 * `byPublishDue` holds exactly the unpublished entries, and the relay finds those whose
 * lease has expired with one Query per shard.
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
    {
      /** Unpublished history entries by lease expiry (sparse: published entries leave it). */
      indexName: 'byPublishDue',
      partitionKey: { name: 'relayShard', type: 'S' },
      sortKey: { name: 'leaseExpiresAt', type: 'N' },
      /** The relay needs only the keys: its lease-taking write returns the whole entry. */
      projection: 'KEYS_ONLY',
    },
    {
      /**
       * Sparse: only state items still waiting for a final postback carry its keys (set once,
       * with `if_not_exists`; removed by a final state). The status-unknown sweep queries each
       * shard for `sweepDueAt <= now`. KEYS_ONLY, so a state change that keeps the keys writes
       * nothing to the index.
       */
      indexName: 'byStatusDue',
      partitionKey: { name: 'sweepShard', type: 'S' },
      sortKey: { name: 'sweepDueAt', type: 'N' },
      projection: 'KEYS_ONLY',
    },
  ],
} as const;

/**
 * The status-unknown index (`byStatusDue`): its key attributes on state items and the
 * shard count. 16 shards keep each index partition far below the 1,000 write units per
 * second that one partition key takes, even when every message of a campaign enters or
 * leaves the index at 2,000 postbacks per second
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html).
 */
export const STATUS_DUE = {
  indexName: 'byStatusDue',
  shardAttribute: 'sweepShard',
  dueAttribute: 'sweepDueAt',
  /** When the wait began (epoch ms): not an index key, removed with them. */
  sinceAttribute: 'sweepSince',
  shards: 16,
} as const;

/**
 * The `byStatusDue` shard of a message: a stable hash of its tracking-id, `00` to `15`.
 *
 * @example
 * statusDueShard('abc123xyz'); // e.g. '07', always the same for this tracking-id
 */
export function statusDueShard(trackingId: string): string {
  let hash = 0x811c9dc5; // FNV-1a, 32 bits
  for (let i = 0; i < trackingId.length; i++) {
    hash ^= trackingId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return String(hash % STATUS_DUE.shards).padStart(2, '0');
}

/** The state attributes of the status-unknown wait: storage details, not part of the read API's answer. */
export const STATUS_DUE_ATTRIBUTES = {
  shard: STATUS_DUE.shardAttribute,
  due: STATUS_DUE.dueAttribute,
  since: STATUS_DUE.sinceAttribute,
} as const;

/** Every `byStatusDue` shard, `00` to `15`. */
export const STATUS_DUE_SHARDS: readonly string[] = Array.from({ length: STATUS_DUE.shards }, (_, i) => String(i).padStart(2, '0'));

/** Key prefixes and fixed sort keys of the items described above. */
export const KEYS = {
  messagePrefix: 'MSG#',
  stateSortKey: 'STATE',
  historyPrefix: 'H#',
  rejectedPrefix: 'REJECTED#',
} as const;

/**
 * The state item's attribute holding the latest-state precedence (built by
 * `precedenceOf` in `domain/state-rule.ts`); the state update's condition compares it with `<`.
 */
export const PRECEDENCE_ATTRIBUTE = 'precedence';

export type TableDefinition = typeof TABLE_DEFINITION;

/**
 * The relay's view of the table: the unpublished history entries, spread over `shards`
 * partitions of the index `byPublishDue` so that no index partition key takes more than
 * 1,000 writes per second at the target rate (2,000 postbacks/s, each entry written to the
 * index once and removed once; https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html).
 */
export const RELAY = {
  indexName: 'byPublishDue',
  /** History attribute: the index partition key, `00`..`15`, from the postback id. */
  shardAttribute: 'relayShard',
  /** History attribute: the lease expiry (epoch ms) of a pending entry; the index sort key. */
  leaseAttribute: 'leaseExpiresAt',
  shards: 16,
} as const;

/**
 * The relay shard of a postback: a stable hash of its id, as two digits.
 *
 * @example
 * relayShardOf('5f0c…'); // '07'
 */
export function relayShardOf(postbackId: string): string {
  let hash = 0;
  for (let i = 0; i < postbackId.length; i++) hash = (hash * 31 + postbackId.charCodeAt(i)) >>> 0;
  return String(hash % RELAY.shards).padStart(2, '0');
}

/** Every relay shard, `00`..`15`. */
export function relayShards(): string[] {
  return Array.from({ length: RELAY.shards }, (_, i) => String(i).padStart(2, '0'));
}

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
