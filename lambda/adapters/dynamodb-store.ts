import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  type PutItemInput,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type UpdateItemInput,
} from '@aws-sdk/client-dynamodb';
import { POSTBACK_FIELDS } from '../domain/fields';
import type { PostbackRecord } from '../domain/postback';
import type { CallOptions, ClaimResult, PostbackStore, RejectedPostback } from '../ports';
import { clientReferenceIndexKeys, KEYS, RELAY, rejectedKey, relayShardOf } from '../table-definition';
import { toAttribute } from './attribute-values';

export interface DynamoDbStoreOptions {
  /** An AWS SDK v3 DynamoDB client (see `runtime/aws-clients.ts`). */
  readonly client: Pick<DynamoDBClient, 'send'>;
  readonly tableName: string;
  /** How long an invocation owns a claimed postback; must exceed the function timeout. */
  readonly leaseSeconds: number;
  readonly historyRetentionDays: number;
  readonly rejectedRetentionDays: number;
}

const DAY_SECONDS = 86_400;
/** Publication state of a history entry (attribute `pub`). */
export const PENDING = 'pending';
export const PUBLISHED = 'published';

/** Detail fields that describe the message rather than one postback: kept when a later latest postback omits them. */
const STICKY_FIELDS = new Set(['clientReference', 'to', 'from']);
/** Detail fields removed from the state when the new latest postback does not have them. */
const REPLACEABLE_FIELDS = Object.values(POSTBACK_FIELDS)
  .map((field) => field.detail)
  .filter((name) => !STICKY_FIELDS.has(name) && name !== 'trackingId' && name !== 'code' && name !== 'origin' && name !== 'timestamp');

export function messageKey(trackingId: string): string {
  return `${KEYS.messagePrefix}${trackingId}`;
}

export function historySortKey(record: Pick<PostbackRecord, 'instant' | 'postbackId'>): string {
  return `${KEYS.historyPrefix}${record.instant.key}#${record.postbackId}`;
}

/** The table key of a history entry. */
export type HistoryKey = { readonly pk: { S: string }; readonly sk: { S: string } };

/**
 * Marks a history entry published: its event is out. Removing the relay attributes drops
 * the entry from the index `byPublishDue` (one index delete, no extra request).
 */
export function markPublishedInput(tableName: string, key: HistoryKey): UpdateItemInput {
  return {
    TableName: tableName,
    Key: key,
    UpdateExpression: 'SET #pub = :published REMOVE #lease, #shard',
    ExpressionAttributeNames: { '#pub': 'pub', '#lease': RELAY.leaseAttribute, '#shard': RELAY.shardAttribute },
    ExpressionAttributeValues: { ':published': { S: PUBLISHED } },
  };
}

/** Gives the lease of a pending entry up, so that a retry or the relay can take it at once. */
export function releaseInput(tableName: string, key: HistoryKey): UpdateItemInput {
  return {
    TableName: tableName,
    Key: key,
    UpdateExpression: 'SET #lease = :zero',
    ConditionExpression: '#pub = :pending',
    ExpressionAttributeNames: { '#pub': 'pub', '#lease': RELAY.leaseAttribute },
    ExpressionAttributeValues: { ':pending': { S: PENDING }, ':zero': { N: '0' } },
  };
}

/**
 * The DynamoDB implementation of {@link PostbackStore}. A new in-order postback costs one
 * TransactWriteItems (history put + conditional state update) and one UpdateItem (mark
 * published); a duplicate costs the one transaction, answered from its cancellation reasons.
 *
 * @example
 * const store = new DynamoDbStore({ client, tableName, leaseSeconds: 60, historyRetentionDays: 90, rejectedRetentionDays: 14 });
 */
export class DynamoDbStore implements PostbackStore {
  constructor(private readonly options: DynamoDbStoreOptions) {}

  async claim(record: PostbackRecord, rawBody: string, now: Date, options: CallOptions = {}): Promise<ClaimResult> {
    const historyPut = this.historyPut(record, rawBody, now);
    if (record.entry === undefined) return this.putHistoryOnly(historyPut, options);
    try {
      await this.options.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: historyPut }, { Update: this.stateUpdate(record, now) }],
          // Idempotent across the client's own retries: if an attempt succeeded but its answer was
          // lost, the retry reports success instead of meeting its own pending entry (503 until
          // the lease expires). Unique per claim, so a later claim is never confused with it.
          ClientRequestToken: randomUUID(),
        }),
        options,
      );
      return { outcome: 'claimed', isLatest: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [history, state] = error.CancellationReasons ?? [];
      if (history?.Code === 'ConditionalCheckFailed') return existing(history.Item);
      if (history?.Code === 'TransactionConflict' || state?.Code === 'TransactionConflict') {
        return { outcome: 'in_progress' };
      }
      if (state?.Code === 'ConditionalCheckFailed') return this.putHistoryOnly(notLatest(historyPut), options);
      throw error;
    }
  }

  async markPublished(record: PostbackRecord, options: CallOptions = {}): Promise<void> {
    await this.options.client.send(new UpdateItemCommand(markPublishedInput(this.options.tableName, this.historyKey(record))), options);
  }

  async release(record: PostbackRecord, options: CallOptions = {}): Promise<void> {
    try {
      await this.options.client.send(new UpdateItemCommand(releaseInput(this.options.tableName, this.historyKey(record))), options);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async saveRejected(rejected: RejectedPostback, options: CallOptions = {}): Promise<void> {
    const receivedAt = rejected.receivedAt.toISOString();
    const item = toAttribute({
      ...rejectedKey(rejected.receivedAt, rejected.requestId),
      kind: 'rejected',
      requestId: rejected.requestId,
      receivedAt,
      statusCode: rejected.statusCode,
      reason: rejected.reason,
      message: rejected.message,
      details: rejected.details === undefined ? undefined : JSON.stringify(rejected.details),
      contentType: rejected.contentType,
      sourceIp: rejected.sourceIp,
      body: rejected.body,
      truncated: rejected.truncated,
      expiresAt: epochSeconds(rejected.receivedAt) + this.options.rejectedRetentionDays * DAY_SECONDS,
    })?.M;
    await this.options.client.send(new PutItemCommand({ TableName: this.options.tableName, Item: item }), options);
  }

  private historyKey(record: PostbackRecord): HistoryKey {
    return { pk: { S: messageKey(record.trackingId) }, sk: { S: historySortKey(record) } };
  }

  private historyPut(record: PostbackRecord, rawBody: string, now: Date) {
    const item: Record<string, AttributeValue> = {
      ...this.historyKey(record),
      postbackId: { S: record.postbackId },
      trackingId: { S: record.trackingId },
      code: { S: record.code },
      detailType: { S: record.detailType },
      timestamp: { S: record.detail.timestamp },
      tsKey: { S: record.instant.key },
      receivedAt: { S: record.receivedAt },
      pub: { S: PENDING },
      // While pending, the entry is in the index `byPublishDue`: the relay publishes it once the lease has expired.
      [RELAY.leaseAttribute]: { N: String(now.getTime() + this.options.leaseSeconds * 1000) },
      [RELAY.shardAttribute]: { S: relayShardOf(record.postbackId) },
      // The isLatest of its event, so that the relay publishes the Detail this claim decided.
      isLatest: { BOOL: record.entry !== undefined },
      // The body as received: the relay rebuilds the event from it with the same domain code.
      body: { S: rawBody },
      expiresAt: { N: String(epochSeconds(now) + this.options.historyRetentionDays * DAY_SECONDS) },
    };
    if (record.detail.status !== undefined) item.status = { S: record.detail.status };
    return {
      TableName: this.options.tableName,
      Item: item,
      // New, or pending and abandoned by an invocation whose lease has expired (crash, timeout, released).
      ConditionExpression: 'attribute_not_exists(pk) OR (#pub = :pending AND #lease < :now)',
      ExpressionAttributeNames: { '#pub': 'pub', '#lease': RELAY.leaseAttribute },
      ExpressionAttributeValues: { ':pending': { S: PENDING }, ':now': { N: String(now.getTime()) } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    } satisfies PutItemInput;
  }

  private stateUpdate(record: PostbackRecord, now: Date) {
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    let n = 0;
    const set = (attribute: string, value: AttributeValue) => {
      n += 1;
      names[`#a${n}`] = attribute;
      values[`:v${n}`] = value;
      sets.push(`#a${n} = :v${n}`);
    };
    const { raw: _raw, ...fields } = record.detail;
    for (const [attribute, value] of Object.entries(fields)) {
      const attributeValue = toAttribute(value);
      if (attributeValue !== undefined) set(attribute, attributeValue);
    }
    for (const attribute of REPLACEABLE_FIELDS) {
      if ((fields as Record<string, unknown>)[attribute] === undefined) {
        n += 1;
        names[`#a${n}`] = attribute;
        removes.push(`#a${n}`);
      }
    }
    // The client-reference index entry: written by the first state update with a listed
    // reference, never changed afterwards (a later state writes nothing to the index).
    const indexKeys = clientReferenceIndexKeys(record.detail.clientReference, record.trackingId);
    for (const [attribute, value] of Object.entries(indexKeys ?? {})) {
      n += 1;
      names[`#a${n}`] = attribute;
      values[`:v${n}`] = { S: value };
      sets.push(`#a${n} = if_not_exists(#a${n}, :v${n})`);
    }
    set('rank', { N: String(record.entry?.rank ?? -1) });
    set('tsKey', { S: record.instant.key });
    set('detailType', { S: record.detailType });
    set('updatedAt', { S: now.toISOString() });
    set('expiresAt', { N: String(epochSeconds(now) + this.options.historyRetentionDays * DAY_SECONDS) });
    names['#pk'] = 'pk';
    names['#rank'] = 'rank';
    names['#ts'] = 'tsKey';
    names['#pid'] = 'postbackId';
    values[':rank'] = { N: String(record.entry?.rank ?? -1) };
    values[':ts'] = { S: record.instant.key };
    values[':pid'] = { S: record.postbackId };
    return {
      TableName: this.options.tableName,
      Key: { pk: { S: messageKey(record.trackingId) }, sk: { S: KEYS.stateSortKey } },
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      // The latest-state rule (domain/state-rule.ts), enforced atomically.
      ConditionExpression: 'attribute_not_exists(#pk) OR #rank < :rank OR (#rank = :rank AND #ts < :ts) OR #pid = :pid',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  private async putHistoryOnly(historyPut: PutItemInput, options: CallOptions): Promise<ClaimResult> {
    try {
      await this.options.client.send(new PutItemCommand(historyPut), options);
      return { outcome: 'claimed', isLatest: false };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return existing(error.Item);
      throw error;
    }
  }
}

/** The history put of a claim that does not change the latest state. */
function notLatest(historyPut: PutItemInput): PutItemInput {
  return { ...historyPut, Item: { ...historyPut.Item, isLatest: { BOOL: false } } };
}

function existing(item: Record<string, AttributeValue> | undefined): ClaimResult {
  return item?.pub?.S === PUBLISHED ? { outcome: 'duplicate' } : { outcome: 'in_progress' };
}

function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
