import {
  type CatalogEntry,
  type DetailType,
  type Lifecycle,
  lookupCode,
  type Outcome,
  type StatusUnknownEntry,
  UNRECOGNIZED_DETAIL_TYPE,
} from './catalog';
import type { PostbackDetail, PostbackFormat } from './event-detail';
import { type DetailFieldsFromPostback, POSTBACK_FIELDS, type PostbackFieldName } from './fields';
import { derivedMoTrackingId, postbackIdOf } from './identity';
import { competesForLatest, precedenceOf } from './state-rule';
import { type Instant, toInstant } from './timestamp';
import type { ValidPostback } from './validate';

/** A validated postback with everything the service derives from it. */
export interface PostbackRecord {
  readonly postbackId: string;
  readonly trackingId: string;
  readonly code: string;
  /** The catalog entry (or the synthetic status-unknown entry); `undefined` for a well-formed code the catalog does not know. */
  readonly catalogEntry: CatalogEntry | StatusUnknownEntry | undefined;
  readonly detailType: DetailType;
  readonly instant: Instant;
  readonly lifecycle: Lifecycle;
  readonly outcome: Outcome;
  readonly final: boolean;
  readonly receivedAt: string;
  /**
   * The sortable latest-state key (see `precedenceOf`); `undefined` when the postback never
   * becomes the latest state (a code the catalog does not know, or a timestamp more than
   * 24 hours after its receipt).
   */
  readonly precedence: string | undefined;
  /** True when the timestamp lies more than 24 hours after the receipt (see `FAR_FUTURE_MS`). */
  readonly farFuture: boolean;
  /** The Detail of the event, with `isLatest` still to be decided by the store. */
  readonly detail: Omit<PostbackDetail, 'isLatest'>;
  /** True when the postback's `status` text disagrees with its code (the code decides). */
  readonly statusMismatch: boolean;
}

function detailFields(postback: ValidPostback, trackingId: string): DetailFieldsFromPostback {
  const fields: Record<string, unknown> = {};
  for (const name of Object.keys(POSTBACK_FIELDS) as PostbackFieldName[]) {
    const value = postback[name];
    if (value === undefined) continue;
    const spec = POSTBACK_FIELDS[name];
    if (spec.kind === 'numberList') fields[spec.detail] = (value as { number: string }[]).map((item) => item.number);
    else if (spec.kind === 'fileList') fields[spec.detail] = (value as { file: string }[]).map((item) => item.file);
    else fields[spec.detail] = value;
  }
  fields.trackingId = trackingId;
  return fields as DetailFieldsFromPostback;
}

/**
 * Derives ids, catalog facts and the event Detail from a validated postback. `instant` is
 * the timestamp `validatePostback` already parsed (parsed here when it is not given).
 *
 * @example
 * const record = interpretPostback(result.postback, new Date(), 'json', result.instant); // `format` defaults to 'json'
 * record.detailType; // 'MMS Delivered'
 */
export function interpretPostback(
  postback: ValidPostback,
  receivedAt: Date,
  format: PostbackFormat = 'json',
  instant: Instant | undefined = toInstant(postback.timestamp),
): PostbackRecord {
  if (!instant) throw new TypeError('interpretPostback needs a validated postback');
  const trackingId =
    postback['tracking-id'] ??
    derivedMoTrackingId({ from: postback.from, to: postback.to, instantKey: instant.key, content: detailFields(postback, '') });
  const catalogEntry = lookupCode(postback.code);
  const postbackId = postbackIdOf({ trackingId, code: postback.code, instantKey: instant.key, to: postback.to });
  const lifecycle: Lifecycle = catalogEntry?.lifecycle ?? 'unknown';
  const outcome: Outcome = catalogEntry?.outcome ?? 'unknown';
  const final = catalogEntry?.final ?? false;
  const received = receivedAt.toISOString();
  const farFuture = !competesForLatest({ known: true, epochMs: instant.epochMs, receivedAt });
  const precedence =
    catalogEntry === undefined || farFuture
      ? undefined
      : precedenceOf({ rank: catalogEntry.rank, instantKey: instant.key, outcome, postbackId });
  const detail = {
    postbackId,
    ...detailFields(postback, trackingId),
    code: postback.code,
    origin: postback.origin,
    timestamp: postback.timestamp,
    lifecycle,
    outcome,
    final,
    receivedAt: received,
    raw: postback,
    format,
  } as Omit<PostbackDetail, 'isLatest'>;
  const status = postback.status;
  return {
    postbackId,
    trackingId,
    code: postback.code,
    catalogEntry,
    detailType: catalogEntry?.detailType ?? UNRECOGNIZED_DETAIL_TYPE,
    instant,
    lifecycle,
    outcome,
    final,
    receivedAt: received,
    precedence,
    farFuture,
    detail,
    statusMismatch: catalogEntry !== undefined && status !== undefined && !statusAgrees(catalogEntry, status),
  };
}

function statusAgrees(entry: CatalogEntry, status: string): boolean {
  const s = status.trim().toLowerCase();
  const expected = entry.status.toLowerCase();
  // The spec documents E102 as "Rejected / Unrecognised".
  return s === expected || (entry.code === 'E102' && (s === 'unrecognised' || s === 'unrecognized'));
}
