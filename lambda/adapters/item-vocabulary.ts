import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { POSTBACK_FIELDS } from '../domain/fields';
import type { PostbackRecord } from '../domain/postback';
import { WAITING_MESSAGE_FIELDS, type WaitingMessage } from '../domain/status-unknown';
import type { RejectedPostback, StoredEntry } from '../ports';
import { toAttribute } from './attribute-values';

/**
 * The stored item vocabulary of the table: every attribute name, key prefix and key
 * builder. This is the only module that spells them; the store, the publisher (a stream
 * record's image), the history reader, the status-due source, the reader, the rejected records, the table definition, the load
 * test's checks and the test helpers import them from here.
 *
 * Items (single-table design):
 *
 * | item | `pk` | `sk` | TTL (`expiresAt`) |
 * | --- | --- | --- | --- |
 * | latest state of a message | `MSG#<trackingId>` | `STATE` | history retention, refreshed on change |
 * | one accepted postback (history entry) | `MSG#<trackingId>` | `H#<instant>#<postbackId>` | history retention |
 * | refused but authenticated postback | `REJECTED#<yyyy-mm-dd>#<shard>` | `<receivedAt>#<requestId>` | rejected retention |
 *
 * A state item holds the fields of its latest postback's event detail under their own
 * names, plus the storage attributes below; a history entry holds the postback's identity,
 * its body as received and the `isLatest` its transaction decided: all its event is rebuilt
 * from, by the publisher from the table's stream.
 */
export const ATTRIBUTE = {
  /** Table partition key: `MSG#<trackingId>` or `REJECTED#<day>#<shard>`. */
  partitionKey: 'pk',
  /** Table sort key: `STATE`, `H#<instant>#<postbackId>` or `<receivedAt>#<requestId>`. */
  sortKey: 'sk',
  /** The TTL attribute (epoch seconds) of every item. */
  expiresAt: 'expiresAt',

  // Shared by history entries and states (a state holds the detail fields under their own names).
  postbackId: 'postbackId',
  trackingId: 'trackingId',
  code: 'code',
  status: 'status',
  timestamp: 'timestamp',
  detailType: 'detailType',
  receivedAt: 'receivedAt',
  /** The postback's instant as a sortable key (`instant.key` of the domain). */
  instantKey: 'instantKey',

  // History entries.
  /** The `isLatest` of the entry's event, decided by its transaction. */
  isLatest: 'isLatest',
  /** The body as received (JSON or XML; a synthetic postback's waiting message, `statusUnknownBody`): the publisher rebuilds the event from it. */
  body: 'body',

  // States.
  /** The latest-state precedence (`precedenceOf` in `domain/state-rule.ts`), compared with `<`. */
  precedence: 'precedence',
  /** The rank of the postback code in the catalog (`-1` when not in the catalog). */
  catalogRank: 'catalogRank',
  updatedAt: 'updatedAt',
  /** `byClientReference` index partition key: `<digest of the client reference>#<shard>`. */
  clientReferenceKey: 'clientReferenceKey',
  /** `byClientReference` index sort key: the tracking-id. */
  clientReferenceSortKey: 'clientReferenceSortKey',
  /** While waiting for a final postback: the `byStatusDue` index partition key (shard of the tracking-id). */
  statusDueShard: 'statusDueShard',
  /** While waiting for a final postback: when the wait is over (epoch ms); the `byStatusDue` index sort key. */
  statusDueAt: 'statusDueAt',
  /** While waiting for a final postback: when the wait began (epoch ms); not an index key. */
  statusWaitStartedAt: 'statusWaitStartedAt',

  // Rejected records (besides `receivedAt`, `body` and `expiresAt`).
  kind: 'kind',
  requestId: 'requestId',
  statusCode: 'statusCode',
  reason: 'reason',
  message: 'message',
  details: 'details',
  contentType: 'contentType',
  sourceIp: 'sourceIp',
  truncated: 'truncated',
  /** The body's bytes as sent (Binary, at most 64 KiB): what a replay sends again. */
  bodyBytes: 'bodyBytes',
  /** The outcome of the last replay (a map). */
  replay: 'replay',
} as const;

/** The `kind` of a rejected record. */
export const REJECTED_KIND = 'rejected';

/** Key prefixes and fixed sort keys of the items described above. */
export const KEYS = {
  messagePrefix: 'MSG#',
  stateSortKey: 'STATE',
  historyPrefix: 'H#',
  rejectedPrefix: 'REJECTED#',
} as const;

/** Detail fields that describe the message rather than one postback: kept when a later latest postback omits them. */
const STICKY_FIELDS = new Set(['clientReference', 'to', 'from']);

/** State attributes taken from the event detail that a new latest postback without them removes. */
export const REPLACEABLE_STATE_FIELDS: readonly string[] = Object.values(POSTBACK_FIELDS)
  .map((field): string => field.detail)
  .filter((name) => !STICKY_FIELDS.has(name) && name !== 'trackingId' && name !== 'code' && name !== 'origin' && name !== 'timestamp')
  // Detail fields that only some states have (the wire format; the synthetic status-unknown state's own fields).
  .concat('format', 'synthetic', 'waitStartedAt');

/** State attributes that are storage details, not part of the read API's answer. */
export const STORAGE_ONLY_STATE_ATTRIBUTES: readonly string[] = [
  ATTRIBUTE.partitionKey,
  ATTRIBUTE.sortKey,
  ATTRIBUTE.catalogRank,
  ATTRIBUTE.instantKey,
  ATTRIBUTE.precedence,
  ATTRIBUTE.expiresAt,
  ATTRIBUTE.statusDueShard,
  ATTRIBUTE.statusDueAt,
  ATTRIBUTE.statusWaitStartedAt,
  ATTRIBUTE.clientReferenceKey,
  ATTRIBUTE.clientReferenceSortKey,
];

/**
 * Write shards of every key a burst can share. At 2,000 postbacks/s that all carry one
 * client reference, each shard of its index key takes 2,000 / 16 = 125 index writes/s
 * (at most 1 KB each), far below the 1,000 WCU/s of one partition key
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html).
 */
export const SHARD_COUNT = 16;

/** The shard suffixes `00` … `15`, in order: what a reader fans out over. */
export const SHARDS: readonly string[] = Array.from({ length: SHARD_COUNT }, (_, i) => String(i).padStart(2, '0'));

/**
 * The write shard of a value: a stable hash (first 32 bits of its SHA-256) modulo
 * {@link SHARD_COUNT}, as two digits. The same value always lands on the same shard.
 * Status-due and client-reference shards of the
 * tracking-id, rejected-record shards of the request id.
 *
 * @example
 * shardOf('abc123xyz'); // '07' (always the same for this value)
 */
export function shardOf(value: string): string {
  const hash = createHash('sha256').update(value, 'utf8').digest().readUInt32BE(0);
  return SHARDS[hash % SHARD_COUNT] as string;
}

/** The table key of an item, as DynamoDB takes it. */
export type TableKey = Record<string, AttributeValue>;

/** The table key of an item from its partition and sort key values. */
export function tableKey(pk: string, sk: string): TableKey {
  return { [ATTRIBUTE.partitionKey]: { S: pk }, [ATTRIBUTE.sortKey]: { S: sk } };
}

/** The partition and sort key values of an item (empty strings when absent). */
export function keyValues(item: Record<string, AttributeValue>): { readonly pk: string; readonly sk: string } {
  return { pk: item[ATTRIBUTE.partitionKey]?.S ?? '', sk: item[ATTRIBUTE.sortKey]?.S ?? '' };
}

/** The table key of an item read from the table (or of an index entry, which holds it). */
export function keyOf(item: Record<string, AttributeValue>): TableKey {
  const { pk, sk } = keyValues(item);
  return tableKey(pk, sk);
}

/** The partition key of a message (its state and its history entries). */
export function messageKey(trackingId: string): string {
  return `${KEYS.messagePrefix}${trackingId}`;
}

/** The table key of a message's state item. */
export function stateKey(trackingId: string): TableKey {
  return tableKey(messageKey(trackingId), KEYS.stateSortKey);
}

/** The sort key of a history entry: sorted by the postback's instant. */
export function historySortKey(record: Pick<PostbackRecord, 'instant' | 'postbackId'>): string {
  return `${KEYS.historyPrefix}${record.instant.key}#${record.postbackId}`;
}

/** The table key of a history entry. */
export function historyKey(record: Pick<PostbackRecord, 'trackingId' | 'instant' | 'postbackId'>): TableKey {
  return tableKey(messageKey(record.trackingId), historySortKey(record));
}

/** What an item of the table is, from its key; `undefined` for a key of none of the item types. */
export type ItemType =
  | { readonly type: 'state'; readonly trackingId: string }
  | { readonly type: 'history'; readonly trackingId: string }
  | { readonly type: 'rejected' };

export function itemTypeOf(item: Record<string, AttributeValue>): ItemType | undefined {
  const { pk, sk } = keyValues(item);
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

/** An attribute value as a stream record's image carries it (`aws-lambda`'s type) or as the SDK reads it. */
type ImageValue = { readonly S?: string; readonly BOOL?: boolean };

/**
 * The history entry of an item image (a stream record's `NewImage`, or an item read from
 * the table): what the publisher rebuilds the event from. Throws when the image is not a
 * complete history entry.
 *
 * @example
 * const entry = storedEntryOf(record.dynamodb.NewImage);
 */
export function storedEntryOf(image: Readonly<Record<string, ImageValue>> | undefined): StoredEntry {
  const text = (name: string): string => {
    const value = image?.[name]?.S;
    if (value === undefined) throw new TypeError(`the history entry has no ${name}`);
    return value;
  };
  const isLatest = image?.[ATTRIBUTE.isLatest]?.BOOL;
  if (isLatest === undefined) throw new TypeError(`the history entry has no ${ATTRIBUTE.isLatest}`);
  return {
    postbackId: text(ATTRIBUTE.postbackId),
    trackingId: text(ATTRIBUTE.trackingId),
    body: text(ATTRIBUTE.body),
    receivedAt: text(ATTRIBUTE.receivedAt),
    isLatest,
  };
}

/** The waiting message of a state item; `undefined` when it is not waiting any more (final: no due time). */
export function waitingMessageOf(state: Record<string, AttributeValue>): WaitingMessage | undefined {
  const due = state[ATTRIBUTE.statusDueAt]?.N;
  const trackingId = state[ATTRIBUTE.trackingId]?.S;
  if (due === undefined || trackingId === undefined) return undefined;
  const since = state[ATTRIBUTE.statusWaitStartedAt]?.N;
  const message: Record<string, unknown> = {
    trackingId,
    dueAt: new Date(Number(due)),
    waitStartedAt: new Date(Number(since ?? due)),
  };
  for (const name of WAITING_MESSAGE_FIELDS) {
    const value = state[name]?.S;
    if (value !== undefined) message[name] = value;
  }
  return message as unknown as WaitingMessage;
}

/** The state attributes {@link waitingMessageOf} reads. */
export const WAITING_STATE_ATTRIBUTES: readonly string[] = [
  ATTRIBUTE.trackingId,
  ...WAITING_MESSAGE_FIELDS,
  ATTRIBUTE.statusDueAt,
  ATTRIBUTE.statusWaitStartedAt,
];

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
 * its client reference is not listed ({@link isListedClientReference}): the partition key
 * spreads one reference over {@link SHARD_COUNT} shards by tracking-id, the sort key is the
 * tracking-id.
 *
 * @example
 * clientReferenceIndexKeys('campaign-7', 'abc123xyz'); // { clientReferenceKey: '<digest>#07', clientReferenceSortKey: 'abc123xyz' }
 */
export function clientReferenceIndexKeys(clientReference: string | undefined, trackingId: string): Record<string, string> | undefined {
  if (clientReference === undefined || !isListedClientReference(clientReference)) return undefined;
  return {
    [ATTRIBUTE.clientReferenceKey]: clientReferenceShardKey(clientReference, shardOf(trackingId)),
    [ATTRIBUTE.clientReferenceSortKey]: trackingId,
  };
}

/** What a state update does to the `byClientReference` index attributes. */
export interface ClientReferenceIndexUpdate {
  /** Attributes to SET (plain SET: the same values again when the reference has not changed). */
  readonly set: Readonly<Record<string, string>>;
  /** Attributes to REMOVE. */
  readonly remove: readonly string[];
}

/**
 * The part of a state update that keeps the `byClientReference` index on the latest state's
 * client reference: a listed reference sets the index keys, an unlisted one (empty, blank, too
 * long) removes them, and a postback without a reference (the state keeps its reference, a
 * sticky field) leaves them alone.
 *
 * The keys are set with a plain SET, every time: a reference that never changes writes the
 * same values again, and DynamoDB writes nothing to an index when an update changes neither
 * its key attributes nor its projected ones (the index is KEYS_ONLY), so the common case still
 * costs one index write per message, the first. A changed reference costs the index update
 * DynamoDB describes for a changed key: a delete and a put. A removed one costs one delete.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.Writes
 *
 * @example
 * clientReferenceIndexUpdate('campaign-7', 'abc123xyz'); // { set: { clientReferenceKey: '<digest>#07', clientReferenceSortKey: 'abc123xyz' }, remove: [] }
 * clientReferenceIndexUpdate(' ', 'abc123xyz'); // { set: {}, remove: ['clientReferenceKey', 'clientReferenceSortKey'] }
 * clientReferenceIndexUpdate(undefined, 'abc123xyz'); // { set: {}, remove: [] }
 */
export function clientReferenceIndexUpdate(clientReference: string | undefined, trackingId: string): ClientReferenceIndexUpdate {
  if (clientReference === undefined) return { set: {}, remove: [] };
  const keys = clientReferenceIndexKeys(clientReference, trackingId);
  if (keys) return { set: keys, remove: [] };
  return { set: {}, remove: [ATTRIBUTE.clientReferenceKey, ATTRIBUTE.clientReferenceSortKey] };
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

/**
 * The item of a refused but authenticated postback, kept until `expiresAt` (epoch seconds).
 * `details` is stored as JSON text.
 */
export function rejectedItem(rejected: RejectedPostback, expiresAt: number): Record<string, AttributeValue> {
  const key = rejectedKey(rejected.receivedAt, rejected.requestId);
  const plain: Record<string, unknown> = {
    [ATTRIBUTE.partitionKey]: key.pk,
    [ATTRIBUTE.sortKey]: key.sk,
    [ATTRIBUTE.kind]: REJECTED_KIND,
    [ATTRIBUTE.requestId]: rejected.requestId,
    [ATTRIBUTE.receivedAt]: rejected.receivedAt.toISOString(),
    [ATTRIBUTE.statusCode]: rejected.statusCode,
    [ATTRIBUTE.reason]: rejected.reason,
    [ATTRIBUTE.message]: rejected.message,
    [ATTRIBUTE.details]: rejected.details === undefined ? undefined : JSON.stringify(rejected.details),
    [ATTRIBUTE.contentType]: rejected.contentType,
    [ATTRIBUTE.sourceIp]: rejected.sourceIp,
    [ATTRIBUTE.body]: rejected.body,
    [ATTRIBUTE.truncated]: rejected.truncated,
    [ATTRIBUTE.expiresAt]: expiresAt,
  };
  const item = toAttribute(plain)?.M ?? {};
  if (rejected.bodyBytes !== undefined) {
    item[ATTRIBUTE.bodyBytes] = { B: rejected.bodyBytes };
    // The common case, a UTF-8 body: its text is its bytes read as UTF-8, so it is not stored
    // twice (a refusal costs the write units of one copy of the body); see rejectedFromItem.
    if (utf8Text(rejected.bodyBytes) === rejected.body) delete item[ATTRIBUTE.body];
  }
  return item;
}

const UTF8 = new TextDecoder('utf-8');

/** Bytes read as UTF-8, lossily: the text kept for a body whose `body` attribute was left out. */
function utf8Text(bytes: Uint8Array): string {
  return UTF8.decode(bytes);
}

/** A rejected record read back: the postback as {@link rejectedItem} stored it (`bodyBytes`: the item's Binary attribute), its TTL and its last replay. */
export function rejectedFromItem(
  plain: Readonly<Record<string, unknown>>,
  bodyBytes?: Uint8Array,
): RejectedPostback & {
  readonly expiresAt?: Date;
  readonly replay?: Readonly<Record<string, unknown>>;
} {
  const text = (name: string) => (typeof plain[name] === 'string' ? (plain[name] as string) : undefined);
  let details: unknown;
  try {
    details = text(ATTRIBUTE.details) === undefined ? undefined : JSON.parse(text(ATTRIBUTE.details) as string);
  } catch {
    details = text(ATTRIBUTE.details);
  }
  const expiresAt = plain[ATTRIBUTE.expiresAt];
  return {
    requestId: text(ATTRIBUTE.requestId) ?? '',
    receivedAt: new Date(text(ATTRIBUTE.receivedAt) ?? 0),
    statusCode: Number(plain[ATTRIBUTE.statusCode]),
    reason: text(ATTRIBUTE.reason) ?? '',
    message: text(ATTRIBUTE.message) ?? '',
    details,
    contentType: text(ATTRIBUTE.contentType),
    sourceIp: text(ATTRIBUTE.sourceIp),
    body: text(ATTRIBUTE.body) ?? (bodyBytes === undefined ? '' : utf8Text(bodyBytes)),
    ...(bodyBytes === undefined ? {} : { bodyBytes }),
    truncated: plain[ATTRIBUTE.truncated] === true,
    expiresAt: typeof expiresAt === 'number' ? new Date(expiresAt * 1000) : undefined,
    replay: plain[ATTRIBUTE.replay] as Readonly<Record<string, unknown>> | undefined,
  };
}
