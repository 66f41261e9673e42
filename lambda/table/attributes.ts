import { POSTBACK_FIELDS } from '../domain/fields';

/**
 * The attribute names of the table's items. With `keys.ts` (key prefixes and key builders),
 * `shards.ts` and `client-reference-index.ts`, the only modules that spell a stored name: the
 * store, the publisher (a stream record's image), the history reader, the status-due source,
 * the reader, the rejected records, the table definition, the load test's checks and the
 * test helpers import them from these modules.
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
