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
import type { PostbackDetail } from '../domain/event-detail';
import type { PostbackRecord } from '../domain/postback';
import { statusUnknownBody } from '../domain/status-unknown';
import type { CallOptions, ClaimResult, PostbackStore, RejectedPostback, StatusUnknownClaim, StatusUnknownStore } from '../ports';
import { toAttribute } from './attribute-values';
import {
  ATTRIBUTE,
  clientReferenceIndexUpdate,
  historyKey,
  isPublished,
  PUBLISH_STATE,
  REPLACEABLE_STATE_FIELDS,
  rejectedItem,
  shardOf,
  stateKey,
  type TableKey,
} from './item-vocabulary';

export interface DynamoDbStoreOptions {
  /** An AWS SDK v3 DynamoDB client (see `runtime/aws-clients.ts`). */
  readonly client: Pick<DynamoDBClient, 'send'>;
  readonly tableName: string;
  /** How long an invocation owns a claimed postback; must exceed the function timeout. */
  readonly leaseSeconds: number;
  readonly historyRetentionDays: number;
  readonly rejectedRetentionDays: number;
  /**
   * How long a message may stay without a final state before the status-unknown sweep
   * declares it unknown; a non-final state then carries the `byStatusDue` index keys.
   * Absent or 0: off (no index keys are written).
   */
  readonly statusUnknownAfterSeconds?: number;
}

const DAY_SECONDS = 86_400;

/**
 * Marks a history entry published: its event is out. Removing the relay attributes drops
 * the entry from the index `byPublishDue` (one index delete, no extra request).
 */
export function markPublishedInput(tableName: string, key: TableKey): UpdateItemInput {
  return {
    TableName: tableName,
    Key: key,
    UpdateExpression: 'SET #publishState = :published REMOVE #lease, #shard',
    ExpressionAttributeNames: {
      '#publishState': ATTRIBUTE.publishState,
      '#lease': ATTRIBUTE.leaseExpiresAt,
      '#shard': ATTRIBUTE.relayShard,
    },
    ExpressionAttributeValues: { ':published': { S: PUBLISH_STATE.published } },
  };
}

/** Gives the lease of an unpublished entry up, so that a retry or the relay can take it at once. */
export function releaseInput(tableName: string, key: TableKey): UpdateItemInput {
  return {
    TableName: tableName,
    Key: key,
    UpdateExpression: 'SET #lease = :zero',
    ConditionExpression: '#publishState = :unpublished',
    ExpressionAttributeNames: { '#publishState': ATTRIBUTE.publishState, '#lease': ATTRIBUTE.leaseExpiresAt },
    ExpressionAttributeValues: { ':unpublished': { S: PUBLISH_STATE.unpublished }, ':zero': { N: '0' } },
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
export class DynamoDbStore implements PostbackStore, StatusUnknownStore {
  constructor(private readonly options: DynamoDbStoreOptions) {}

  async claim(record: PostbackRecord, rawBody: string, now: Date, options: CallOptions = {}): Promise<ClaimResult> {
    const historyPut = this.historyPut(record, rawBody, now);
    // An unknown code or a far-future timestamp never becomes the latest state: history only.
    if (record.precedence === undefined) return this.putHistoryOnly(historyPut, options);
    try {
      await this.options.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: historyPut }, { Update: this.stateUpdate(record, record.precedence, now) }],
          // Idempotent across the client's own retries: if an attempt succeeded but its answer was
          // lost, the retry reports success instead of meeting its own unpublished entry (503 until
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

  /**
   * Writes the synthetic status-unknown postback (history entry, unpublished, under a lease) and
   * makes it the latest state, atomically, only while the state is still not final. Nothing
   * is written when a final postback got there first (`superseded`) or when the synthetic
   * postback is already written (`duplicate`, or `in_progress` while its lease runs).
   */
  async claimStatusUnknown(record: PostbackRecord, now: Date, options: CallOptions = {}): Promise<StatusUnknownClaim> {
    try {
      await this.options.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: this.historyPut(record, statusUnknownBody(record), now) },
            // Only an existing state of lower rank (not final), or this very postback (a retry).
            { Update: this.stateUpdate(record, record.precedence ?? '', now, 'attribute_exists(#pk) AND (#rank < :rank OR #pid = :pid)') },
          ],
          ClientRequestToken: randomUUID(),
        }),
        options,
      );
      return { outcome: 'claimed' };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [history, state] = error.CancellationReasons ?? [];
      if (history?.Code === 'ConditionalCheckFailed') return existing(history.Item) as StatusUnknownClaim;
      if (history?.Code === 'TransactionConflict' || state?.Code === 'TransactionConflict') return { outcome: 'in_progress' };
      if (state?.Code === 'ConditionalCheckFailed') return { outcome: 'superseded' };
      throw error;
    }
  }

  async markPublished(record: PostbackRecord, options: CallOptions = {}): Promise<void> {
    await this.options.client.send(new UpdateItemCommand(markPublishedInput(this.options.tableName, historyKey(record))), options);
  }

  async release(record: PostbackRecord, options: CallOptions = {}): Promise<void> {
    try {
      await this.options.client.send(new UpdateItemCommand(releaseInput(this.options.tableName, historyKey(record))), options);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async saveRejected(rejected: RejectedPostback, options: CallOptions = {}): Promise<void> {
    const item = rejectedItem(rejected, epochSeconds(rejected.receivedAt) + this.options.rejectedRetentionDays * DAY_SECONDS);
    await this.options.client.send(new PutItemCommand({ TableName: this.options.tableName, Item: item }), options);
  }

  private historyPut(record: PostbackRecord, rawBody: string, now: Date) {
    const item: Record<string, AttributeValue> = {
      ...historyKey(record),
      [ATTRIBUTE.postbackId]: { S: record.postbackId },
      [ATTRIBUTE.trackingId]: { S: record.trackingId },
      [ATTRIBUTE.code]: { S: record.code },
      [ATTRIBUTE.detailType]: { S: record.detailType },
      [ATTRIBUTE.timestamp]: { S: record.detail.timestamp },
      [ATTRIBUTE.instantKey]: { S: record.instant.key },
      [ATTRIBUTE.receivedAt]: { S: record.receivedAt },
      [ATTRIBUTE.publishState]: { S: PUBLISH_STATE.unpublished },
      // While unpublished, the entry is in the index `byPublishDue`: the relay publishes it once the lease has expired.
      [ATTRIBUTE.leaseExpiresAt]: { N: String(now.getTime() + this.options.leaseSeconds * 1000) },
      [ATTRIBUTE.relayShard]: { S: shardOf(record.postbackId) },
      // The isLatest of its event, so that the relay publishes the Detail this claim decided: false
      // for an unknown code or a far-future timestamp (no precedence, history only), and made false
      // by `notLatest` when the state condition refuses the postback.
      [ATTRIBUTE.isLatest]: { BOOL: record.precedence !== undefined },
      // The body as received: the relay rebuilds the event from it with the same domain code.
      [ATTRIBUTE.body]: { S: rawBody },
      [ATTRIBUTE.expiresAt]: { N: String(epochSeconds(now) + this.options.historyRetentionDays * DAY_SECONDS) },
    };
    if (record.detail.status !== undefined) item[ATTRIBUTE.status] = { S: record.detail.status };
    return {
      TableName: this.options.tableName,
      Item: item,
      // New, or unpublished and abandoned by an invocation whose lease has expired (crash, timeout, released).
      ConditionExpression: 'attribute_not_exists(#pk) OR (#publishState = :unpublished AND #lease < :now)',
      ExpressionAttributeNames: {
        '#pk': ATTRIBUTE.partitionKey,
        '#publishState': ATTRIBUTE.publishState,
        '#lease': ATTRIBUTE.leaseExpiresAt,
      },
      ExpressionAttributeValues: { ':unpublished': { S: PUBLISH_STATE.unpublished }, ':now': { N: String(now.getTime()) } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    } satisfies PutItemInput;
  }

  private stateUpdate(
    record: PostbackRecord,
    precedence: string,
    now: Date,
    // The latest-state rule (domain/state-rule.ts), enforced atomically: the domain builds the
    // precedence, the store only compares it. A state written before the precedence existed
    // is compared by rank and instant.
    condition = 'attribute_not_exists(#pk) OR #prec < :prec OR #pid = :pid' +
      ' OR (attribute_not_exists(#prec) AND (#rank < :rank OR (#rank = :rank AND #ts < :ts)))',
  ) {
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
    const { raw: _raw, ...fields } = record.detail as Omit<PostbackDetail, 'isLatest'> & { raw?: unknown };
    for (const [attribute, value] of Object.entries(fields)) {
      const attributeValue = toAttribute(value);
      if (attributeValue !== undefined) set(attribute, attributeValue);
    }
    for (const attribute of REPLACEABLE_STATE_FIELDS) {
      if ((fields as Record<string, unknown>)[attribute] === undefined) {
        n += 1;
        names[`#a${n}`] = attribute;
        removes.push(`#a${n}`);
      }
    }
    set(ATTRIBUTE.precedence, { S: precedence });
    // The client-reference index follows the latest state's reference (an unchanged one writes nothing to the index).
    const index = clientReferenceIndexUpdate(record.detail.clientReference, record.trackingId);
    for (const [attribute, value] of Object.entries(index.set)) set(attribute, { S: value });
    for (const attribute of index.remove) {
      n += 1;
      names[`#a${n}`] = attribute;
      removes.push(`#a${n}`);
    }
    set(ATTRIBUTE.catalogRank, { N: String(record.catalogEntry?.rank ?? -1) });
    set(ATTRIBUTE.instantKey, { S: record.instant.key });
    set(ATTRIBUTE.detailType, { S: record.detailType });
    set(ATTRIBUTE.updatedAt, { S: now.toISOString() });
    set(ATTRIBUTE.expiresAt, { N: String(epochSeconds(now) + this.options.historyRetentionDays * DAY_SECONDS) });
    this.statusDueKeys(record, now, names, values, sets, removes);
    names['#pk'] = ATTRIBUTE.partitionKey;
    names['#rank'] = ATTRIBUTE.catalogRank;
    names['#pid'] = ATTRIBUTE.postbackId;
    if (condition.includes('#prec')) {
      names['#prec'] = ATTRIBUTE.precedence;
      values[':prec'] = { S: precedence };
    }
    values[':rank'] = { N: String(record.catalogEntry?.rank ?? -1) };
    values[':pid'] = { S: record.postbackId };
    if (condition.includes('#ts')) {
      names['#ts'] = ATTRIBUTE.instantKey;
      values[':ts'] = { S: record.instant.key };
    }
    return {
      TableName: this.options.tableName,
      Key: stateKey(record.trackingId),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  /**
   * The `byStatusDue` index keys: set once (`if_not_exists`) while the state is not final,
   * so that the due time counts from the first accepted postback; removed by a final state.
   */
  private statusDueKeys(
    record: PostbackRecord,
    now: Date,
    names: Record<string, string>,
    values: Record<string, AttributeValue>,
    sets: string[],
    removes: string[],
  ): void {
    names['#sdShard'] = ATTRIBUTE.statusDueShard;
    names['#sdDue'] = ATTRIBUTE.statusDueAt;
    names['#sdSince'] = ATTRIBUTE.statusWaitStartedAt;
    if (record.final) {
      removes.push('#sdShard', '#sdDue', '#sdSince');
      return;
    }
    const afterSeconds = this.options.statusUnknownAfterSeconds ?? 0;
    if (afterSeconds <= 0) {
      delete names['#sdShard'];
      delete names['#sdDue'];
      delete names['#sdSince'];
      return;
    }
    values[':sdShard'] = { S: shardOf(record.trackingId) };
    values[':sdDue'] = { N: String(now.getTime() + afterSeconds * 1000) };
    values[':sdSince'] = { N: String(now.getTime()) };
    sets.push(
      '#sdShard = if_not_exists(#sdShard, :sdShard)',
      '#sdDue = if_not_exists(#sdDue, :sdDue)',
      '#sdSince = if_not_exists(#sdSince, :sdSince)',
    );
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
  return { ...historyPut, Item: { ...historyPut.Item, [ATTRIBUTE.isLatest]: { BOOL: false } } };
}

function existing(item: Record<string, AttributeValue> | undefined): ClaimResult {
  return isPublished(item) ? { outcome: 'duplicate' } : { outcome: 'in_progress' };
}

function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
