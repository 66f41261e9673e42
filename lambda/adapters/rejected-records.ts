import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandOutput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { RejectedPostback } from '../ports';
import { ATTRIBUTE } from '../table/attributes';
import { type ItemKey, itemKeyOf, keyAttributes, rejectedPartitionKey } from '../table/keys';
import { acrossShards } from '../table/shards';
import { fromItem, toAttribute } from './attribute-values';
import { rejectedFromItem } from './rejected-items';

/** What a replay of a rejected record came to, kept on the record. */
export interface RejectedReplayOutcome {
  /** The result of the replay, e.g. `accepted`, `duplicate`, `rejected`, `failed`. */
  readonly result: string;
  /** The HTTP status the pipeline answered. */
  readonly statusCode: number;
  /** When the replay ran. */
  readonly at: Date;
  /** The postback id, when the postback was accepted or a duplicate. */
  readonly postbackId?: string;
  /** A short explanation (the error code or message of a refusal). */
  readonly message?: string;
}

/** A refused but authenticated postback as stored (`body` cut to the size limit when `truncated`), with its key. */
export interface StoredRejectedPostback extends RejectedPostback {
  readonly key: ItemKey;
  /** When DynamoDB's TTL removes the record. */
  readonly expiresAt?: Date;
  /** The outcome of the last replay, if the record was replayed. */
  readonly replay?: RejectedReplayOutcome;
  /** Every stored attribute, as plain values (fields this interface does not name included). */
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** Thrown by {@link DynamoDbRejectedRecords.markRejectedOutcome} when the record is gone (TTL). */
export class RejectedRecordGoneError extends Error {
  constructor(
    readonly key: ItemKey,
    options?: { cause?: unknown },
  ) {
    super(`rejected record ${key.pk} / ${key.sk} no longer exists (removed by its TTL?)`, options);
    this.name = 'RejectedRecordGoneError';
  }
}

const DAY_MS = 86_400_000;

/** The UTC days (`yyyy-mm-dd`) that the time range [since, until) touches, in order. */
export function daysOf(since: Date, until: Date): string[] {
  const days: string[] = [];
  if (until.getTime() <= since.getTime()) return days;
  const last = new Date(until.getTime() - 1).toISOString().slice(0, 10);
  for (let t = Date.parse(since.toISOString().slice(0, 10)); ; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    days.push(day);
    if (day === last) return days;
  }
}

function toRecord(item: Record<string, AttributeValue>): StoredRejectedPostback {
  const plain = fromItem(item);
  const { replay, ...rejected } = rejectedFromItem(plain, item[ATTRIBUTE.bodyBytes]?.B);
  return {
    key: itemKeyOf(item),
    ...rejected,
    replay:
      replay === undefined
        ? undefined
        : {
            result: String(replay.result),
            statusCode: Number(replay.statusCode),
            at: new Date(String(replay.at)),
            ...(typeof replay.postbackId === 'string' ? { postbackId: replay.postbackId } : {}),
            ...(typeof replay.message === 'string' ? { message: replay.message } : {}),
          },
    attributes: plain,
  };
}

/**
 * Operator access to the rejected records: refused but authenticated postbacks, kept in
 * one partition per UTC day and write shard. Listing reads every shard of every day of
 * the range and merges them by receipt time.
 *
 * @example
 * const records = new DynamoDbRejectedRecords(new DynamoDBClient({}), 'postbacks');
 * for await (const record of records.listRejected(new Date('2026-04-24T00:00:00Z'), new Date())) {
 *   await records.markRejectedOutcome(record.key, { result: 'accepted', statusCode: 200, at: new Date() });
 * }
 */
export class DynamoDbRejectedRecords {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /**
   * Every rejected record received in [since, until), oldest first (ties by request id).
   * Reads page by page: at most one page (1 MB) per shard is held at a time.
   */
  async *listRejected(since: Date, until: Date): AsyncGenerator<StoredRejectedPostback> {
    for (const day of daysOf(since, until)) {
      // Each shard's records in order, merged: the head of every shard, the oldest first.
      const shards: AsyncGenerator<StoredRejectedPostback>[] = [];
      const heads = await acrossShards((shard) => {
        const records = this.partition(rejectedPartitionKey(day, shard), since, until);
        shards.push(records);
        return records.next();
      });
      for (;;) {
        let next = -1;
        for (const [i, head] of heads.entries()) {
          if (head.done) continue;
          const best = heads[next];
          if (next < 0 || (best && !best.done && head.value.key.sk < best.value.key.sk)) next = i;
        }
        const head = heads[next];
        if (!head || head.done) break;
        yield head.value;
        heads[next] = await (shards[next] as AsyncGenerator<StoredRejectedPostback>).next();
      }
    }
  }

  /**
   * Records the outcome of a replay on the record (attribute `replay`), replacing an
   * earlier one. Throws {@link RejectedRecordGoneError} when the record no longer exists.
   */
  async markRejectedOutcome(key: ItemKey, outcome: RejectedReplayOutcome): Promise<void> {
    const value = toAttribute({ ...outcome, at: outcome.at.toISOString() }) as AttributeValue;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyAttributes(key),
          UpdateExpression: 'SET #replay = :replay',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#replay': ATTRIBUTE.replay, '#pk': ATTRIBUTE.partitionKey },
          ExpressionAttributeValues: { ':replay': value },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new RejectedRecordGoneError(key, { cause: error });
      throw error;
    }
  }

  /** The records of one day's shard in [since, until), page by page. */
  private async *partition(pk: string, since: Date, until: Date): AsyncGenerator<StoredRejectedPostback> {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const out: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          // The sort key is `<receivedAt ISO>#<requestId>`: `since` itself sorts before every sort
          // key of that instant (inclusive), `until` before every one of its instant (exclusive).
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :since AND :until',
          ExpressionAttributeNames: { '#pk': ATTRIBUTE.partitionKey, '#sk': ATTRIBUTE.sortKey },
          ExpressionAttributeValues: { ':pk': { S: pk }, ':since': { S: since.toISOString() }, ':until': { S: until.toISOString() } },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) yield toRecord(item);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }
}
