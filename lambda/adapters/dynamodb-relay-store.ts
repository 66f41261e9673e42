import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { LeaseResult, PendingEntry, RelayStore, StoredEntryKey } from '../ports';
import { RELAY, SHARDS } from '../table-definition';
import { type HistoryKey, markPublishedInput, PENDING, releaseInput } from './dynamodb-store';

function tableKey(key: StoredEntryKey): HistoryKey {
  return { pk: { S: key.pk }, sk: { S: key.sk } };
}

function pendingEntry(key: StoredEntryKey, item: Record<string, AttributeValue>): PendingEntry {
  return {
    key,
    postbackId: item.postbackId?.S ?? '',
    trackingId: item.trackingId?.S ?? '',
    body: item.body?.S ?? '',
    receivedAt: item.receivedAt?.S ?? '',
    isLatest: item.isLatest?.BOOL ?? false,
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
          Key: tableKey(key),
          UpdateExpression: 'SET #lease = :until',
          // The claim's own rule: pending, and its lease has expired. A sender's retry holding the
          // lease, or having published meanwhile, makes this fail; so does a concurrent relay run.
          ConditionExpression: '#pub = :pending AND #lease < :now',
          ExpressionAttributeNames: { '#pub': 'pub', '#lease': RELAY.leaseAttribute },
          ExpressionAttributeValues: {
            ':pending': { S: PENDING },
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
      const pending = error.Item?.pub?.S === PENDING;
      return { outcome: 'not_due', ...(pending && error.Item?.receivedAt?.S ? { receivedAt: error.Item.receivedAt.S } : {}) };
    }
  }

  async markPublished(key: StoredEntryKey): Promise<void> {
    await this.client.send(new UpdateItemCommand(markPublishedInput(this.tableName, tableKey(key))));
  }

  async release(key: StoredEntryKey): Promise<void> {
    try {
      await this.client.send(new UpdateItemCommand(releaseInput(this.tableName, tableKey(key))));
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
          ExpressionAttributeNames: { '#shard': RELAY.shardAttribute, '#lease': RELAY.leaseAttribute },
          ExpressionAttributeValues: { ':shard': { S: shard }, ':now': { N: String(now.getTime()) } },
          Limit: limit - found.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        found.push({ pk: item.pk?.S ?? '', sk: item.sk?.S ?? '', leaseExpiresAt: Number(item[RELAY.leaseAttribute]?.N ?? 0) });
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey && found.length < limit);
    return found;
  }
}
