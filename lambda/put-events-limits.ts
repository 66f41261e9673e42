/**
 * The limits of one PutEvents request and the size EventBridge counts for an entry. Pure.
 *
 * A request carries at most 10 entries, and its entries together at most 256 KB
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html). An entry's size
 * is counted as EventBridge documents it: `Time` 14 bytes when given, then the UTF-8 bytes
 * of `Source`, `DetailType`, `Detail` and each of `Resources`
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html).
 */

/** Entries per PutEvents request, at most. */
export const MAX_ENTRIES_PER_REQUEST = 10;

/** Bytes of the entries of one PutEvents request together, at most (256 KB). */
export const MAX_REQUEST_BYTES = 256 * 1024;

/** The parts of a PutEvents entry that count towards its size. */
export interface SizedEntry {
  readonly Time?: Date;
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail?: string;
  readonly Resources?: readonly string[];
}

/**
 * The size of a PutEvents entry as EventBridge counts it.
 *
 * @example
 * putEventsEntrySize({ Time: new Date(), Source: 'mms.postbacks', DetailType: 'MMS Sent', Detail: '{}' }); // 14 + 13 + 8 + 2 = 37
 */
export function putEventsEntrySize(entry: SizedEntry): number {
  const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
  let size = entry.Time === undefined ? 0 : 14;
  size += bytes(entry.Source) + bytes(entry.DetailType);
  if (entry.Detail !== undefined) size += bytes(entry.Detail);
  for (const resource of entry.Resources ?? []) size += bytes(resource);
  return size;
}
