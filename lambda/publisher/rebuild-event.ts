/**
 * The event of a stored history entry, rebuilt from what the entry holds (its body as
 * received, its receipt time and the `isLatest` its transaction decided): what the stream
 * publisher sends for a new entry's image and what `npm run republish` sends again.
 * Pure domain code; no AWS SDK.
 */
import type { PostbackDetail, PostbackFormat } from '../domain/event-detail';
import { statusUnknownPostbackId } from '../domain/identity';
import { interpretPostback, type PostbackRecord } from '../domain/postback';
import { statusUnknownRecord, waitingMessageFromBody } from '../domain/status-unknown';
import { validatePostback } from '../domain/validate';
import { xmlPostback } from '../http/request';
import type { StoredEntry } from '../ports';

/** The stored entry cannot be turned back into its event (its body no longer validates, or it names another postback). */
export class RebuildError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RebuildError';
  }
}

/**
 * The event of a stored entry, built from its body by the same domain code as the ingest
 * function (`validatePostback`, `interpretPostback`, in the body's format: JSON or the
 * provider's XML), or, for the sweep's synthetic postback, by `statusUnknownRecord` from the
 * waiting message stored as its body; with the receipt time and `isLatest` of its transaction:
 * the Detail the ingest function (or the sweep) stored the entry for.
 *
 * @example
 * const { record, detail } = rebuildEvent(entry);
 * await publisher.publishBatch([{ record, detail }]);
 */
export function rebuildEvent(entry: StoredEntry): { record: PostbackRecord; detail: PostbackDetail } {
  const receivedAt = new Date(entry.receivedAt);
  if (Number.isNaN(receivedAt.getTime())) throw new RebuildError(`the stored receivedAt is not a time: "${entry.receivedAt}"`);
  const record =
    entry.postbackId === statusUnknownPostbackId(entry.trackingId)
      ? statusUnknownRecord(
          parsed(() => waitingMessageFromBody(entry.body)),
          receivedAt,
        )
      : postbackRecord(entry.body, receivedAt);
  if (record.postbackId !== entry.postbackId) {
    throw new RebuildError(`the stored body gives postbackId ${record.postbackId}, the entry is ${entry.postbackId}`);
  }
  return { record, detail: { ...record.detail, isLatest: entry.isLatest } as PostbackDetail };
}

/** A provider postback's record from its body as received: XML when it starts with `<` (an accepted JSON body is an object). */
function postbackRecord(body: string, receivedAt: Date): PostbackRecord {
  const format: PostbackFormat = body.trimStart().startsWith('<') ? 'xml' : 'json';
  const json = parsed(() => (format === 'xml' ? xmlPostback().parseXmlPostback(body) : JSON.parse(body)));
  const result = validatePostback(json);
  if (!result.ok) throw new RebuildError(`the stored body no longer validates: ${JSON.stringify(result.details)}`);
  return interpretPostback(result.postback, receivedAt, format, result.instant);
}

function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (cause) {
    throw new RebuildError(`the stored body cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
