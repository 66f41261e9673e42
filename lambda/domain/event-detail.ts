import type { CatalogEntry, DetailType, StatusUnknownEntry, UNRECOGNIZED_DETAIL_TYPE } from './catalog';
import type { DetailFieldsFromPostback } from './fields';

/** Detail fields every postback event has, whatever its detail-type. */
export type PostbackDetailBase = DetailFieldsFromPostback & {
  /** Deterministic id of the postback (same postback, same id): use it to deduplicate. */
  readonly postbackId: string;
  /** The provider's tracking-id, or for an inbound postback without one, an id derived from from/to/timestamp. */
  readonly trackingId: string;
  /** The postback's timestamp as sent (ISO 8601 with a zone). */
  readonly timestamp: string;
  readonly origin: string;
  /** Whether this postback became the latest state of its message when it was accepted. */
  readonly isLatest: boolean;
  /** When the service first accepted the postback (ISO 8601, UTC). */
  readonly receivedAt: string;
  /** The postback's fields as received, including fields the spec does not document (an XML body as its JSON form). */
  readonly raw: Readonly<Record<string, unknown>>;
  /** The body's wire format: `json`, or `xml` for the provider's XML API. */
  readonly format: PostbackFormat;
};

/** The wire formats of a postback body. */
export type PostbackFormat = 'json' | 'xml';

type DetailOfEntry<E extends CatalogEntry> = PostbackDetailBase & {
  readonly code: E['code'];
  readonly lifecycle: E['lifecycle'];
  readonly outcome: E['outcome'];
  readonly final: E['final'];
};

/** The Detail of a postback whose code the catalog does not know: history only, never latest. */
export type UnrecognizedPostbackDetail = PostbackDetailBase & {
  readonly code: string;
  readonly lifecycle: 'unknown';
  readonly outcome: 'unknown';
  readonly final: false;
  readonly isLatest: false;
};

/**
 * The Detail of the synthetic `MMS Status Unknown` event: the message's known fields, no
 * `raw` and no `format` (no postback carried it), `synthetic: true`, and when the wait began.
 */
export type StatusUnknownDetail = Omit<PostbackDetailBase, 'raw' | 'format'> & {
  readonly code: StatusUnknownEntry['code'];
  readonly lifecycle: StatusUnknownEntry['lifecycle'];
  readonly outcome: StatusUnknownEntry['outcome'];
  readonly final: StatusUnknownEntry['final'];
  /** Always true: the service, not the provider, declared the status unknown. */
  readonly synthetic: true;
  /** When the wait began: the receipt of the message's first accepted postback (ISO 8601, UTC). */
  readonly waitStartedAt: string;
};

/**
 * The Detail type of each detail-type, derived from the code catalog.
 *
 * @example
 * const detail: PostbackDetailByType['MMS Delivered'] = event.detail; // detail.code is 'N102'
 */
export type PostbackDetailByType = {
  readonly [T in CatalogEntry['detailType']]: DetailOfEntry<Extract<CatalogEntry, { detailType: T }>>;
} & { readonly [UNRECOGNIZED in typeof UNRECOGNIZED_DETAIL_TYPE]: UnrecognizedPostbackDetail } & {
  readonly [UNKNOWN in StatusUnknownEntry['detailType']]: StatusUnknownDetail;
};

/** Any postback event Detail: a union discriminated by `code` (and by `outcome`, `lifecycle`). */
export type PostbackDetail = PostbackDetailByType[DetailType];
