import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { DuePage, StatusDueSource } from '../ports';
import { ATTRIBUTE } from '../table/attributes';
import { itemKeyOf, keyAttributes } from '../table/keys';
import { STATUS_DUE } from '../table/table-definition';
import { WAITING_STATE_ATTRIBUTES, waitingMessageOf } from './item-readers';

/** BatchGetItem retries of unprocessed keys (throttling), 50 ms doubling. */
const UNPROCESSED_RETRIES = 5;

/**
 * Finds messages whose wait for a final postback is over: one Query of the sparse
 * `byStatusDue` index per shard (KEYS_ONLY, oldest due first), then a consistent
 * BatchGetItem of their states, which drops any that became final meanwhile (the index
 * is eventually consistent). No table scan: the cost follows the due messages only.
 *
 * @example
 * const due = new DynamoDbStatusDue(new DynamoDBClient({}), 'postbacks');
 * const page = await due.duePage('07', new Date(), 50);
 */
export class DynamoDbStatusDue implements StatusDueSource {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async duePage(shard: string, now: Date, limit: number, startKey?: Record<string, AttributeValue>): Promise<DuePage> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: STATUS_DUE.indexName,
        KeyConditionExpression: '#shard = :shard AND #due <= :now',
        ExpressionAttributeNames: { '#shard': ATTRIBUTE.statusDueShard, '#due': ATTRIBUTE.statusDueAt },
        ExpressionAttributeValues: { ':shard': { S: shard }, ':now': { N: String(now.getTime()) } },
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
    const keys = (page.Items ?? []).map((item) => keyAttributes(itemKeyOf(item)));
    const states = keys.length === 0 ? [] : await this.states(keys);
    const messages = states.flatMap((state) => {
      const message = waitingMessageOf(state);
      return message && message.dueAt.getTime() <= now.getTime() ? [message] : [];
    });
    return { messages, nextKey: page.LastEvaluatedKey };
  }

  private async states(keys: Record<string, AttributeValue>[]): Promise<Record<string, AttributeValue>[]> {
    const found: Record<string, AttributeValue>[] = [];
    let pending: Record<string, AttributeValue>[] | undefined = keys;
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > UNPROCESSED_RETRIES) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** (attempt - 1)));
      const out: BatchGetItemCommandOutput = await this.client.send(
        new BatchGetItemCommand({
          RequestItems: {
            [this.tableName]: {
              Keys: pending,
              ConsistentRead: true,
              ProjectionExpression: WAITING_STATE_ATTRIBUTES.map((_, i) => `#f${i}`).join(', '),
              ExpressionAttributeNames: Object.fromEntries(WAITING_STATE_ATTRIBUTES.map((name, i) => [`#f${i}`, name])),
            },
          },
        }),
      );
      found.push(...(out.Responses?.[this.tableName] ?? []));
      pending = out.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    return found;
  }
}
