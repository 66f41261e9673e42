import { createHash } from 'node:crypto';
import { ATTRIBUTE } from './attributes';
import { SHARD_COUNT, shardOf } from './shards';

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
 * clientReferenceIndexKeys('campaign-7', 'abc123xyz'); // { clientReferenceKey: '<digest>#10', clientReferenceSortKey: 'abc123xyz' }
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
 * clientReferenceIndexUpdate('campaign-7', 'abc123xyz'); // { set: { clientReferenceKey: '<digest>#10', clientReferenceSortKey: 'abc123xyz' }, remove: [] }
 * clientReferenceIndexUpdate(' ', 'abc123xyz'); // { set: {}, remove: ['clientReferenceKey', 'clientReferenceSortKey'] }
 * clientReferenceIndexUpdate(undefined, 'abc123xyz'); // { set: {}, remove: [] }
 */
export function clientReferenceIndexUpdate(clientReference: string | undefined, trackingId: string): ClientReferenceIndexUpdate {
  if (clientReference === undefined) return { set: {}, remove: [] };
  const keys = clientReferenceIndexKeys(clientReference, trackingId);
  if (keys) return { set: keys, remove: [] };
  return { set: {}, remove: [ATTRIBUTE.clientReferenceKey, ATTRIBUTE.clientReferenceSortKey] };
}
