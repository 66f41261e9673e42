import { createHash } from 'node:crypto';

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
 * | refused but authenticated postback | `REJECTED#<yyyy-mm-dd>#<shard>` | `<receivedAt>#<requestId>` | 14 days |
 *
 * Only state items with a listable client reference carry `clientRefKey`/`clientRefSort`,
 * so the sparse index `byClientReference` lists messages, never history or rejected
 * records. Its entry is written once per message and never changes (see
 * {@link clientReferenceIndexKeys}).
 *
 * Hot-key rule: one partition key of the table or of an index takes at most 1,000 write
 * units per second
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html),
 * so every key that a burst can share (one client reference for a whole campaign, a day of
 * rejected records) is spread over {@link SHARD_COUNT} write shards.
 *
 * A history entry whose event is not out yet carries `relayShard` and `leaseExpiresAt`
 * (see {@link RELAY}); marking it published removes both, so the sparse index
 * `byPublishDue` holds exactly the unpublished entries, and the relay finds those whose
 * lease has expired with one Query per shard.
 */
/**
 * The sparse, keys-only index of messages by client reference. Its entry is written once
 * per message and never changes (see {@link clientReferenceIndexKeys}).
 */
export const CLIENT_REFERENCE_INDEX = {
  indexName: 'byClientReference',
  /** `<digest of the client reference>#<shard>`: see {@link clientReferenceIndexKeys}. */
  partitionKey: { name: 'clientRefKey', type: 'S' },
  /** The tracking-id: never changes, so a state change writes nothing to the index. */
  sortKey: { name: 'clientRefSort', type: 'S' },
  /** Keys only: the reader fetches the states with BatchGetItem. */
  projection: 'KEYS_ONLY',
} as const;

export const TABLE_DEFINITION = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    CLIENT_REFERENCE_INDEX,
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
 * The status-unknown index (`byStatusDue`): its key attributes on state items, spread over
 * the {@link SHARDS}. 16 shards keep each index partition far below the 1,000 write units per
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
} as const;

/**
 * The `byStatusDue` shard of a message: a stable hash of its tracking-id, `00` to `15`.
 *
 * @example
 * statusDueShard('abc123xyz'); // e.g. '07', always the same for this tracking-id
 */
export function statusDueShard(trackingId: string): string {
  return shardOf(trackingId);
}

/** The state attributes of the status-unknown wait: storage details, not part of the read API's answer. */
export const STATUS_DUE_ATTRIBUTES = {
  shard: STATUS_DUE.shardAttribute,
  due: STATUS_DUE.dueAttribute,
  since: STATUS_DUE.sinceAttribute,
} as const;

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

/**
 * Write shards of every key a burst can share. At 2,000 postbacks/s that all carry one
 * client reference, each shard of its index key takes 2,000 / 16 = 125 index writes/s
 * (at most 1 KB each), far below the 1,000 WCU/s of one partition key.
 */
export const SHARD_COUNT = 16;

/** The shard suffixes `00` … `15`, in order: what a reader fans out over. */
export const SHARDS: readonly string[] = Array.from({ length: SHARD_COUNT }, (_, i) => String(i).padStart(2, '0'));

/**
 * The write shard of a value: a stable hash (first 32 bits of its SHA-256) modulo
 * {@link SHARD_COUNT}, as two digits. The same value always lands on the same shard.
 *
 * @example
 * shardOf('abc123xyz'); // '07' (always the same for this value)
 */
export function shardOf(value: string): string {
  const hash = createHash('sha256').update(value, 'utf8').digest().readUInt32BE(0);
  return SHARDS[hash % SHARD_COUNT] as string;
}

/**
 * Largest client reference (UTF-8 bytes) that is listed. The digest makes any length a
 * valid key; the bound only keeps the listing's query parameter reasonable and matches
 * DynamoDB's 2,048-byte limit of a partition key value, which the index used before.
 */
export const MAX_LISTED_CLIENT_REFERENCE_BYTES = 2048;

/**
 * Whether a client reference is listed by `GET /messages?clientReference=`: not empty, not
 * blank (only white space), at most {@link MAX_LISTED_CLIENT_REFERENCE_BYTES} UTF-8 bytes.
 * Other values are stored and published as sent, and only left out of the listing.
 *
 * @example
 * isListedClientReference('campaign-7'); // true
 * isListedClientReference('   '); // false
 */
export function isListedClientReference(clientReference: string): boolean {
  return clientReference.trim() !== '' && Buffer.byteLength(clientReference, 'utf8') <= MAX_LISTED_CLIENT_REFERENCE_BYTES;
}

/**
 * The fixed-length digest of a client reference used in the index key: 128 bits of its
 * SHA-256 in base64url (22 characters), whatever the reference's length or characters.
 *
 * @example
 * clientReferenceDigest('campaign-7').length; // 22
 */
export function clientReferenceDigest(clientReference: string): string {
  return createHash('sha256').update(clientReference, 'utf8').digest().subarray(0, 16).toString('base64url');
}

/** The index partition key of one shard of a client reference. */
export function clientReferenceShardKey(clientReference: string, shard: string): string {
  return `${clientReferenceDigest(clientReference)}#${shard}`;
}

/**
 * The `byClientReference` index attributes of a message's state item, or `undefined` when
 * its client reference is not listed ({@link isListedClientReference}). Written once, with
 * `if_not_exists`, by the first state update that carries a listed client reference:
 * the partition key spreads one reference over {@link SHARD_COUNT} shards by tracking-id,
 * the sort key is the tracking-id, and neither ever changes afterwards.
 *
 * @example
 * clientReferenceIndexKeys('campaign-7', 'abc123xyz'); // { clientRefKey: '<digest>#07', clientRefSort: 'abc123xyz' }
 */
export function clientReferenceIndexKeys(
  clientReference: string | undefined,
  trackingId: string,
): { readonly clientRefKey: string; readonly clientRefSort: string } | undefined {
  if (clientReference === undefined || !isListedClientReference(clientReference)) return undefined;
  return { clientRefKey: clientReferenceShardKey(clientReference, shardOf(trackingId)), clientRefSort: trackingId };
}

/**
 * The key of a rejected record: one partition per UTC day and write shard (shard from the
 * request id), sorted by receipt time.
 *
 * @example
 * rejectedKey(new Date('2026-04-24T18:30:00Z'), 'req-1'); // { pk: 'REJECTED#2026-04-24#11', sk: '2026-04-24T18:30:00.000Z#req-1' }
 */
export function rejectedKey(receivedAt: Date, requestId: string): { readonly pk: string; readonly sk: string } {
  const iso = receivedAt.toISOString();
  return { pk: rejectedPartitionKey(iso.slice(0, 10), shardOf(requestId)), sk: `${iso}#${requestId}` };
}

/** The partition of the rejected records of one UTC day (`yyyy-mm-dd`) and shard. */
export function rejectedPartitionKey(day: string, shard: string): string {
  return `${KEYS.rejectedPrefix}${day}#${shard}`;
}

export type TableDefinition = typeof TABLE_DEFINITION;

/**
 * The relay's view of the table: the unpublished history entries, spread over the {@link SHARDS}
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
} as const;

/**
 * The relay shard of a postback: a stable hash of its id, as two digits.
 *
 * @example
 * relayShardOf('5f0c…'); // '07'
 */
export function relayShardOf(postbackId: string): string {
  return shardOf(postbackId);
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
