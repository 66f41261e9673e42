import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { LeaseResult, PendingEntry, RelayStore, StoredEntryKey } from '../ports';
import { RELAY } from '../table-definition';
import { markPublishedInput, releaseInput } from './dynamodb-store';
import { ATTRIBUTE, isUnpublished, keyValues, PUBLISH_STATE, SHARDS, tableKey } from './item-vocabulary';

function entryKey(key: StoredEntryKey) {
  return tableKey(key.pk, key.sk);
}

function pendingEntry(key: StoredEntryKey, item: Record<string, AttributeValue>): PendingEntry {
  return {
    key,
    postbackId: item[ATTRIBUTE.postbackId]?.S ?? '',
    trackingId: item[ATTRIBUTE.trackingId]?.S ?? '',
    body: item[ATTRIBUTE.body]?.S ?? '',
    receivedAt: item[ATTRIBUTE.receivedAt]?.S ?? '',
    isLatest: item[ATTRIBUTE.isLatest]?.BOOL ?? false,
  };
}

/**
 * The DynamoDB implementation of {@link RelayStore}: one Query per shard of the sparse
 * index `byPublishDue` (keys only), then per entry one conditional UpdateItem that takes
 * the lease and returns the whole entry.
 *
 * @example
 * const store = new DynamoDbRelayStore(new DynamoDBClient({}), 'postbacks');
 * const due = await store.listDue(new Date(), 100);
 */
export class DynamoDbRelayStore implements RelayStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async listDue(now: Date, limit: number): Promise<StoredEntryKey[]> {
    const perShard = await Promise.all(SHARDS.map((shard) => this.dueInShard(shard, now, limit)));
    // Oldest lease first across shards, so that a capped run takes the longest-waiting entries.
    return perShard
      .flat()
      .sort((a, b) => a.leaseExpiresAt - b.leaseExpiresAt)
      .slice(0, limit)
      .map(({ pk, sk }) => ({ pk, sk }));
  }

  async takeLease(key: StoredEntryKey, now: Date, leaseSeconds: number): Promise<LeaseResult> {
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: entryKey(key),
          UpdateExpression: 'SET #lease = :until',
          // The claim's own rule: unpublished, and its lease has expired. A sender's retry holding the
          // lease, or having published meanwhile, makes this fail; so does a concurrent relay run.
          ConditionExpression: '#publishState = :unpublished AND #lease < :now',
          ExpressionAttributeNames: { '#publishState': ATTRIBUTE.publishState, '#lease': ATTRIBUTE.leaseExpiresAt },
          ExpressionAttributeValues: {
            ':unpublished': { S: PUBLISH_STATE.unpublished },
            ':now': { N: String(now.getTime()) },
            ':until': { N: String(now.getTime() + leaseSeconds * 1000) },
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { outcome: 'taken', entry: pendingEntry(key, out.Attributes ?? {}) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const receivedAt = isUnpublished(error.Item) ? error.Item?.[ATTRIBUTE.receivedAt]?.S : undefined;
      return { outcome: 'not_due', ...(receivedAt ? { receivedAt } : {}) };
    }
  }

  async markPublished(key: StoredEntryKey): Promise<void> {
    await this.client.send(new UpdateItemCommand(markPublishedInput(this.tableName, entryKey(key))));
  }

  async release(key: StoredEntryKey): Promise<void> {
    try {
      await this.client.send(new UpdateItemCommand(releaseInput(this.tableName, entryKey(key))));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private async dueInShard(shard: string, now: Date, limit: number) {
    const found: { pk: string; sk: string; leaseExpiresAt: number }[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: RELAY.indexName,
          KeyConditionExpression: '#shard = :shard AND #lease < :now',
          ExpressionAttributeNames: { '#shard': ATTRIBUTE.relayShard, '#lease': ATTRIBUTE.leaseExpiresAt },
          ExpressionAttributeValues: { ':shard': { S: shard }, ':now': { N: String(now.getTime()) } },
          Limit: limit - found.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        found.push({ ...keyValues(item), leaseExpiresAt: Number(item[ATTRIBUTE.leaseExpiresAt]?.N ?? 0) });
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey && found.length < limit);
    return found;
  }
}
