import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { PostbackRecord } from '../domain/postback';
import { ATTRIBUTE } from './attributes';
import { shardOf } from './shards';

/** Key prefixes and fixed sort keys of the items described above. */
export const KEYS = {
  messagePrefix: 'MSG#',
  stateSortKey: 'STATE',
  historyPrefix: 'H#',
  rejectedPrefix: 'REJECTED#',
} as const;

/**
 * The key of an item: its partition key (`pk`) and sort key (`sk`) values. The one name of a
 * key in the code; {@link keyAttributes} is its DynamoDB form.
 */
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

/**
 * The key as DynamoDB takes it (`Key` of GetItem, UpdateItem, BatchGetItem).
 *
 * @example
 * keyAttributes(stateKey('abc123xyz')); // { pk: { S: 'MSG#abc123xyz' }, sk: { S: 'STATE' } }
 */
export function keyAttributes(key: ItemKey): Record<string, AttributeValue> {
  return { [ATTRIBUTE.partitionKey]: { S: key.pk }, [ATTRIBUTE.sortKey]: { S: key.sk } };
}

/** The key of an item read from the table, or of an index entry (which holds it); empty strings when absent. */
export function itemKeyOf(item: Record<string, AttributeValue>): ItemKey {
  return { pk: item[ATTRIBUTE.partitionKey]?.S ?? '', sk: item[ATTRIBUTE.sortKey]?.S ?? '' };
}

/** The partition key of a message (its state and its history entries). */
export function messageKey(trackingId: string): string {
  return `${KEYS.messagePrefix}${trackingId}`;
}

/** The key of a message's state item. */
export function stateKey(trackingId: string): ItemKey {
  return { pk: messageKey(trackingId), sk: KEYS.stateSortKey };
}

/** The sort key of a history entry: sorted by the postback's instant. */
export function historySortKey(record: Pick<PostbackRecord, 'instant' | 'postbackId'>): string {
  return `${KEYS.historyPrefix}${record.instant.key}#${record.postbackId}`;
}

/** The key of a history entry. */
export function historyKey(record: Pick<PostbackRecord, 'trackingId' | 'instant' | 'postbackId'>): ItemKey {
  return { pk: messageKey(record.trackingId), sk: historySortKey(record) };
}

/**
 * The key of a rejected record: one partition per UTC day and write shard (shard from the
 * request id), sorted by receipt time.
 *
 * @example
 * rejectedKey(new Date('2026-04-24T18:30:00Z'), 'req-1'); // { pk: 'REJECTED#2026-04-24#10', sk: '2026-04-24T18:30:00.000Z#req-1' }
 */
export function rejectedKey(receivedAt: Date, requestId: string): ItemKey {
  const iso = receivedAt.toISOString();
  return { pk: rejectedPartitionKey(iso.slice(0, 10), shardOf(requestId)), sk: `${iso}#${requestId}` };
}

/** The partition of the rejected records of one UTC day (`yyyy-mm-dd`) and shard. */
export function rejectedPartitionKey(day: string, shard: string): string {
  return `${KEYS.rejectedPrefix}${day}#${shard}`;
}

/** What an item of the table is, from its key; `undefined` for a key of none of the item types. */
export type ItemType =
  | { readonly type: 'state'; readonly trackingId: string }
  | { readonly type: 'history'; readonly trackingId: string }
  | { readonly type: 'rejected' };

export function itemTypeOf(item: Record<string, AttributeValue>): ItemType | undefined {
  const { pk, sk } = itemKeyOf(item);
  if (pk.startsWith(KEYS.rejectedPrefix)) return { type: 'rejected' };
  if (!pk.startsWith(KEYS.messagePrefix)) return undefined;
  const trackingId = pk.slice(KEYS.messagePrefix.length);
  if (sk === KEYS.stateSortKey) return { type: 'state', trackingId };
  if (sk.startsWith(KEYS.historyPrefix)) return { type: 'history', trackingId };
  return undefined;
}

/** The tracking-id of a state item read by its key (`undefined` for another key). */
export function trackingIdOfState(item: Record<string, AttributeValue>): string | undefined {
  const type = itemTypeOf(item);
  return type?.type === 'state' ? type.trackingId : undefined;
}
