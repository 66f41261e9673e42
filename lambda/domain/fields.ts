/**
 * The postback fields the provider documents (MT and MO), with the name each takes in
 * the event Detail and the kind of value it holds. One table drives the ajv schema of
 * incoming postbacks, the event Detail mapping, the Detail's TypeScript type and the
 * per-detail-type JSON Schemas. Fields not listed here are kept (in `raw`), not rejected.
 */
export const POSTBACK_FIELDS = {
  origin: { detail: 'origin', kind: 'text' },
  code: { detail: 'code', kind: 'code' },
  'sent-as': { detail: 'sentAs', kind: 'sentAs' },
  status: { detail: 'status', kind: 'text' },
  'status-details': { detail: 'statusDetails', kind: 'text' },
  to: { detail: 'to', kind: 'phone' },
  from: { detail: 'from', kind: 'phone' },
  timestamp: { detail: 'timestamp', kind: 'timestamp' },
  'tracking-id': { detail: 'trackingId', kind: 'trackingId' },
  'client-reference': { detail: 'clientReference', kind: 'text' },
  'mms-id': { detail: 'mmsId', kind: 'text' },
  handset: { detail: 'handset', kind: 'text' },
  'content-type': { detail: 'contentType', kind: 'text' },
  'content-name': { detail: 'contentName', kind: 'text' },
  'error-info': { detail: 'errorInfo', kind: 'text' },
  keyword: { detail: 'keyword', kind: 'text' },
  'operator-id': { detail: 'operatorId', kind: 'text' },
  'message-subject': { detail: 'messageSubject', kind: 'text' },
  'copy-to': { detail: 'copyTo', kind: 'numberList' },
  content: { detail: 'contentFiles', kind: 'fileList' },
} as const;

export type PostbackFieldName = keyof typeof POSTBACK_FIELDS;
export type FieldKind = (typeof POSTBACK_FIELDS)[PostbackFieldName]['kind'];

/** Limits of the accepted postback: text length, tracking-id length, list items. */
export const LIMITS = {
  maxTextLength: 1024,
  maxTrackingIdLength: 128,
  maxListItems: 100,
} as const;

/** An optional `+` and 3 to 15 digits (E.164 without formatting, or a short code). */
export const PHONE_PATTERN = '^\\+?[0-9]{3,15}$';

/**
 * ISO 8601 date-time with a zone (`Z` or an offset) and any number of fraction digits (the
 * field's length limit bounds them). Ranges (month 1-12, day of month, hours, minutes) are
 * checked when the timestamp is turned into an instant.
 */
export const TIMESTAMP_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:?[0-9]{2})$';

/** The TypeScript type of the Detail value of each kind of field. */
export interface DetailValueOfKind {
  text: string;
  code: string;
  sentAs: 'MMS' | 'SMS';
  phone: string;
  timestamp: string;
  trackingId: string;
  numberList: string[];
  fileList: string[];
}

type FieldsByDetailName = {
  [F in PostbackFieldName as (typeof POSTBACK_FIELDS)[F]['detail']]: DetailValueOfKind[(typeof POSTBACK_FIELDS)[F]['kind']];
};

/** The Detail fields that come from the postback's documented fields; every one is optional here. */
export type DetailFieldsFromPostback = Partial<FieldsByDetailName>;
