import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  type KeysAndAttributes,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { untilDeadline } from '../platform/deadline';
import type { CallOptions } from '../ports';
import { ATTRIBUTE, STORAGE_ONLY_STATE_ATTRIBUTES } from '../table/attributes';
import { clientReferenceShardKey } from '../table/client-reference-index';
import { itemTypeOf, keyAttributes, messageKey, stateKey, trackingIdOfState } from '../table/keys';
import { acrossShards } from '../table/shards';
import { CLIENT_REFERENCE_INDEX } from '../table/table-definition';
import { fromItem } from './attribute-values';

/** One accepted postback of a message, as the query API shows it. */
export interface HistoryEntry {
  readonly postbackId: string;
  readonly code: string;
  readonly status?: string;
  readonly timestamp: string;
  readonly receivedAt: string;
  readonly detailType: string;
}

export type MessageState = Readonly<Record<string, unknown>>;

export interface MessageView {
  /** The latest state; `undefined` when the message only has unrecognized postbacks. */
  readonly state: MessageState | undefined;
  /** Every stored postback, oldest first (by timestamp), each with whether its event is out. */
  readonly history: readonly HistoryEntry[];
}

export interface MessagePage {
  readonly items: readonly MessageState[];
  /** The tracking-id to continue after, or `undefined` on the last page. */
  readonly after: string | undefined;
}

/** The read side of the store. */
export interface MessageReader {
  getMessage(trackingId: string, options?: CallOptions): Promise<MessageView | undefined>;
  /**
   * One page of the messages listed under a client reference, in tracking-id order
   * (UTF-8 byte order, as DynamoDB sorts strings), starting after the tracking-id `after`.
   */
  listByClientReference(clientReference: string, limit: number, after?: string, options?: CallOptions): Promise<MessagePage>;
}

/** Orders strings as DynamoDB orders string sort keys: by their UTF-8 bytes. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The options of one request of a fan-out: a signal of its own that follows the caller's.
 * Waiting for a request until the deadline (`untilDeadline`) adds an `abort` listener to its
 * signal; 16 shard queries on the caller's one signal would exceed Node's default of 10
 * listeners per signal (`MaxListenersExceededWarning`). `AbortSignal.any` follows the
 * caller's signal without adding a listener to it.
 */
function ownSignal(options: CallOptions): CallOptions {
  return options.abortSignal ? { abortSignal: AbortSignal.any([options.abortSignal]) } : options;
}

/** Attempts of a BatchGetItem whose answer leaves keys unprocessed (throttling), with exponential backoff. */
const BATCH_GET_ATTEMPTS = 5;
const BATCH_GET_BACKOFF_MS = 25;

export function stateView(item: Record<string, AttributeValue>): MessageState {
  const plain = fromItem(item);
  for (const name of STORAGE_ONLY_STATE_ATTRIBUTES) delete plain[name];
  return plain;
}

function historyView(item: Record<string, AttributeValue>): HistoryEntry {
  const entry: Record<string, unknown> = {
    postbackId: item[ATTRIBUTE.postbackId]?.S,
    code: item[ATTRIBUTE.code]?.S,
    status: item[ATTRIBUTE.status]?.S,
    timestamp: item[ATTRIBUTE.timestamp]?.S,
    receivedAt: item[ATTRIBUTE.receivedAt]?.S,
    detailType: item[ATTRIBUTE.detailType]?.S,
  };
  if (entry.status === undefined) delete entry.status;
  return entry as unknown as HistoryEntry;
}

/**
 * Reads messages. `getMessage` is one Query (the state and the history of a message share
 * a partition). `listByClientReference` fans out one Query per write shard of the sparse,
 * keys-only index `byClientReference`, merges the tracking-ids in order, reads the states of
 * the page with one BatchGetItem and keeps those whose latest state carries the reference
 * (a page may then hold fewer than `limit` items; `after` still moves on).
 *
 * @example
 * const view = await new DynamoDbMessageReader(client, 'postbacks').getMessage('abc123xyz');
 */
export class DynamoDbMessageReader implements MessageReader {
  constructor(
    private readonly client: Pick<DynamoDBClient, 'send'>,
    private readonly tableName: string,
  ) {}

  async getMessage(trackingId: string, options: CallOptions = {}): Promise<MessageView | undefined> {
    const items: Record<string, AttributeValue>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      // One Query in practice; a message whose history exceeds 1 MB continues on more pages.
      const out = await untilDeadline(
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': ATTRIBUTE.partitionKey },
            ExpressionAttributeValues: { ':pk': { S: messageKey(trackingId) } },
            ExclusiveStartKey: startKey,
          }),
        ),
        options,
      );
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    if (items.length === 0) return undefined;
    const stateItem = items.find((item) => itemTypeOf(item)?.type === 'state');
    const history = items.filter((item) => itemTypeOf(item)?.type === 'history').map(historyView);
    if (!stateItem && history.length === 0) return undefined;
    return { state: stateItem ? stateView(stateItem) : undefined, history };
  }

  async listByClientReference(clientReference: string, limit: number, after?: string, options: CallOptions = {}): Promise<MessagePage> {
    // Each shard answers its first limit + 1 tracking-ids after `after`; the first `limit`
    // of the merged, ordered ids are then the page, and one more means another page.
    const perShard = await acrossShards((shard) =>
      this.shardIds(clientReferenceShardKey(clientReference, shard), limit + 1, after, options),
    );
    const ids = [...new Set(perShard.flat())].sort(compareUtf8);
    const pageIds = ids.slice(0, limit);
    const states = await this.statesOf(pageIds, options);
    const items = pageIds.flatMap((id) => {
      const state = states.get(id);
      // Only messages whose latest state carries the reference: the index is eventually
      // consistent, and an entry written before the index followed the latest state may be stale.
      // A state removed by TTL whose index entry is still there is left out too.
      const view = state ? stateView(state) : undefined;
      return view?.clientReference === clientReference ? [view] : [];
    });
    return { items, after: ids.length > limit ? pageIds[pageIds.length - 1] : undefined };
  }

  /** Up to `max` tracking-ids of one index shard, in order, after `after`. */
  private async shardIds(shardKey: string, max: number, after: string | undefined, options: CallOptions): Promise<string[]> {
    const ids: string[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const out = await untilDeadline(
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: CLIENT_REFERENCE_INDEX.indexName,
            KeyConditionExpression: after === undefined ? '#key = :key' : '#key = :key AND #sort > :after',
            ExpressionAttributeNames: {
              '#key': CLIENT_REFERENCE_INDEX.partitionKey.name,
              ...(after === undefined ? {} : { '#sort': CLIENT_REFERENCE_INDEX.sortKey.name }),
            },
            ExpressionAttributeValues: { ':key': { S: shardKey }, ...(after === undefined ? {} : { ':after': { S: after } }) },
            Limit: max - ids.length,
            ExclusiveStartKey: startKey,
          }),
        ),
        ownSignal(options),
      );
      for (const item of out.Items ?? []) {
        const id = item[CLIENT_REFERENCE_INDEX.sortKey.name]?.S;
        if (id !== undefined) ids.push(id);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey && ids.length < max);
    return ids;
  }

  /**
   * The state items of these messages (at most 100, one BatchGetItem), by tracking-id.
   * Keys that DynamoDB leaves unprocessed (throttling) are requested again with
   * exponential backoff, as the BatchGetItem documentation advises
   * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html);
   * a read that still leaves some after the last attempt fails.
   */
  private async statesOf(trackingIds: readonly string[], options: CallOptions): Promise<Map<string, Record<string, AttributeValue>>> {
    const states = new Map<string, Record<string, AttributeValue>>();
    if (trackingIds.length === 0) return states;
    let request: Record<string, KeysAndAttributes> | undefined = {
      [this.tableName]: { Keys: trackingIds.map((id) => keyAttributes(stateKey(id))) },
    };
    for (let attempt = 1; request && Object.keys(request).length > 0; attempt++) {
      if (attempt > BATCH_GET_ATTEMPTS) throw new Error(`BatchGetItem left keys unprocessed after ${BATCH_GET_ATTEMPTS} attempts`);
      if (attempt > 1)
        await sleep(BATCH_GET_BACKOFF_MS * 2 ** (attempt - 2) * (0.5 + Math.random()), undefined, { signal: options.abortSignal });
      const out: BatchGetItemCommandOutput = await untilDeadline(
        this.client.send(new BatchGetItemCommand({ RequestItems: request })),
        ownSignal(options),
      );
      for (const item of out.Responses?.[this.tableName] ?? []) {
        const id = trackingIdOfState(item);
        if (id !== undefined) states.set(id, item);
      }
      request = out.UnprocessedKeys;
    }
    return states;
  }
}
