import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  type PutItemInput,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type TransactWriteItemsInput,
} from '@aws-sdk/client-dynamodb';
import type { PostbackDetail } from '../domain/event-detail';
import type { PostbackRecord } from '../domain/postback';
import { statusUnknownBody } from '../domain/status-unknown';
import { untilDeadline } from '../platform/deadline';
import type { CallOptions, PostbackStore, RejectedPostback, SaveResult, StatusUnknownSave, StatusUnknownStore } from '../ports';
import { ATTRIBUTE, REPLACEABLE_STATE_FIELDS } from '../table/attributes';
import { clientReferenceIndexUpdate } from '../table/client-reference-index';
import { historyKey, keyAttributes, stateKey } from '../table/keys';
import { shardOf } from '../table/shards';
import { toAttribute } from './attribute-values';
import { rejectedItem } from './rejected-items';

export interface DynamoDbStoreOptions {
  /**
   * An AWS SDK v3 DynamoDB client (see `platform/aws-clients.ts`). Called without per-call
   * options, so that the SDK uses its cached middleware stack; a call past the invocation's
   * deadline is abandoned (`untilDeadline`).
   */
  readonly client: Pick<DynamoDBClient, 'send'>;
  readonly tableName: string;
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
 * The DynamoDB implementation of {@link PostbackStore}. A new postback costs one
 * TransactWriteItems (history put conditional on its absence + conditional state update);
 * a duplicate costs the same one request, answered from its cancellation reasons. Its
 * event follows from the table's stream (the publisher function), not from here.
 *
 * Write units (on-demand, items under 1 KB; a transaction item costs 2 WU per KB, a GSI
 * write 1 WU: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-capacity-handling):
 * history put 2 + state update 2, plus the `byStatusDue` index entry (1, the first
 * postback of a message while the sweep is on; a final state removes it, 1) and the
 * `byClientReference` entry (1, once per message): at most 6 for the first postback of a
 * message and 5 for a later one.
 *
 * @example
 * const store = new DynamoDbStore({ client, tableName, historyRetentionDays: 90, rejectedRetentionDays: 14 });
 */
export class DynamoDbStore implements PostbackStore, StatusUnknownStore {
  constructor(private readonly options: DynamoDbStoreOptions) {}

  async save(record: PostbackRecord, rawBody: string, now: Date, options: CallOptions = {}): Promise<SaveResult> {
    const historyPut = this.historyPut(record, rawBody, now);
    // An unknown code or a far-future timestamp never becomes the latest state: history only.
    if (record.precedence === undefined) return this.putHistoryOnly(historyPut, options);
    try {
      await untilDeadline(
        this.options.client.send(
          new TransactWriteItemsCommand(
            saveTransaction([{ Put: historyPut }, { Update: this.stateUpdate(record, record.precedence, now) }]),
          ),
        ),
        options,
      );
      return { outcome: 'stored', isLatest: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [history, state] = error.CancellationReasons ?? [];
      if (history?.Code === 'ConditionalCheckFailed') return { outcome: 'duplicate' };
      if (history?.Code === 'TransactionConflict' || state?.Code === 'TransactionConflict') return { outcome: 'conflict' };
      if (state?.Code === 'ConditionalCheckFailed') return this.putHistoryOnly(notLatest(historyPut), options);
      throw error;
    }
  }

  /**
   * Writes the synthetic status-unknown postback (history entry) and makes it the latest
   * state, atomically, only while the state is still not final. Nothing is written when a
   * final postback got there first (`superseded`) or when the synthetic postback is already
   * written (`duplicate`). Its event follows from the stream like any postback's.
   */
  async saveStatusUnknown(record: PostbackRecord, now: Date, options: CallOptions = {}): Promise<StatusUnknownSave> {
    try {
      await untilDeadline(
        this.options.client.send(
          new TransactWriteItemsCommand(
            saveTransaction([
              { Put: this.historyPut(record, statusUnknownBody(record), now) },
              // Only an existing state of lower rank (not final), or this very postback (a retry).
              {
                Update: this.stateUpdate(record, record.precedence ?? '', now, 'attribute_exists(#pk) AND (#rank < :rank OR #pid = :pid)'),
              },
            ]),
          ),
        ),
        options,
      );
      return { outcome: 'stored' };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [history, state] = error.CancellationReasons ?? [];
      if (history?.Code === 'ConditionalCheckFailed') return { outcome: 'duplicate' };
      if (history?.Code === 'TransactionConflict' || state?.Code === 'TransactionConflict') return { outcome: 'conflict' };
      if (state?.Code === 'ConditionalCheckFailed') return { outcome: 'superseded' };
      throw error;
    }
  }

  async saveRejected(rejected: RejectedPostback, options: CallOptions = {}): Promise<void> {
    const item = rejectedItem(rejected, epochSeconds(rejected.receivedAt) + this.options.rejectedRetentionDays * DAY_SECONDS);
    await untilDeadline(this.options.client.send(new PutItemCommand({ TableName: this.options.tableName, Item: item })), options);
  }

  private historyPut(record: PostbackRecord, rawBody: string, now: Date) {
    const item: Record<string, AttributeValue> = {
      ...keyAttributes(historyKey(record)),
      [ATTRIBUTE.postbackId]: { S: record.postbackId },
      [ATTRIBUTE.trackingId]: { S: record.trackingId },
      [ATTRIBUTE.code]: { S: record.code },
      [ATTRIBUTE.detailType]: { S: record.detailType },
      [ATTRIBUTE.timestamp]: { S: record.detail.timestamp },
      [ATTRIBUTE.instantKey]: { S: record.instant.key },
      [ATTRIBUTE.receivedAt]: { S: record.receivedAt },
      // The isLatest of its event, so that the publisher sends the Detail this transaction decided:
      // false for an unknown code or a far-future timestamp (no precedence, history only), and made
      // false by `notLatest` when the state condition refuses the postback.
      [ATTRIBUTE.isLatest]: { BOOL: record.precedence !== undefined },
      // The body as received: the publisher rebuilds the event from it (the stream's new image) with the same domain code.
      [ATTRIBUTE.body]: { S: rawBody },
      [ATTRIBUTE.expiresAt]: { N: String(epochSeconds(now) + this.options.historyRetentionDays * DAY_SECONDS) },
    };
    if (record.detail.status !== undefined) item[ATTRIBUTE.status] = { S: record.detail.status };
    return {
      TableName: this.options.tableName,
      Item: item,
      // New only: an entry that exists is a duplicate (the deduplication). Its insert is what the stream publishes.
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': ATTRIBUTE.partitionKey },
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
      Key: keyAttributes(stateKey(record.trackingId)),
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

  private async putHistoryOnly(historyPut: PutItemInput, options: CallOptions): Promise<SaveResult> {
    try {
      await untilDeadline(this.options.client.send(new PutItemCommand(historyPut)), options);
      return { outcome: 'stored', isLatest: false };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { outcome: 'duplicate' };
      throw error;
    }
  }
}

/** The history put of a claim that does not change the latest state. */
function notLatest(historyPut: PutItemInput): PutItemInput {
  return { ...historyPut, Item: { ...historyPut.Item, [ATTRIBUTE.isLatest]: { BOOL: false } } };
}

/**
 * The transaction of a save. `ClientRequestToken` makes it idempotent across the client's
 * own retries: if an attempt succeeded but its answer was lost, the retry reports success
 * instead of meeting its own entry as a duplicate. Unique per save.
 */
function saveTransaction(items: NonNullable<TransactWriteItemsInput['TransactItems']>): TransactWriteItemsInput {
  return { TransactItems: items, ClientRequestToken: randomUUID() };
}

function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
