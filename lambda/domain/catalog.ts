/**
 * The provider's postback codes (see `shared/spec/postback-codes.txt`) and what each
 * means for us. This table is the single source of truth for the schema's code rules,
 * the latest-state rank, the EventBridge detail-types, the exported TypeScript types
 * and the per-detail-type JSON Schemas.
 */
export const CATALOG = [
  {
    code: 'N013',
    status: 'Transcoding successful and sending triggered',
    lifecycle: 'send',
    detailType: 'MMS Send Triggered',
    outcome: 'pending',
    final: false,
    rank: 0,
  },
  { code: 'N101', status: 'Sent', lifecycle: 'send', detailType: 'MMS Sent', outcome: 'pending', final: false, rank: 1 },
  { code: 'N102', status: 'Delivered', lifecycle: 'send', detailType: 'MMS Delivered', outcome: 'success', final: true, rank: 2 },
  {
    code: 'N202',
    status: 'Delivered as SMS',
    lifecycle: 'send',
    detailType: 'MMS Delivered As SMS',
    outcome: 'success',
    final: true,
    rank: 2,
  },
  { code: 'N103', status: 'Expired', lifecycle: 'send', detailType: 'MMS Expired', outcome: 'failure', final: true, rank: 2 },
  { code: 'E101', status: 'Failed', lifecycle: 'send', detailType: 'MMS Failed', outcome: 'failure', final: true, rank: 2 },
  { code: 'E102', status: 'Rejected', lifecycle: 'send', detailType: 'MMS Rejected', outcome: 'failure', final: true, rank: 2 },
  {
    code: 'E202',
    status: 'Fallback SMS delivery failure',
    lifecycle: 'send',
    detailType: 'MMS SMS Fallback Failed',
    outcome: 'failure',
    final: true,
    rank: 2,
  },
  {
    code: 'E999',
    status: 'Queue processing error',
    lifecycle: 'send',
    detailType: 'MMS Queue Error',
    outcome: 'failure',
    final: true,
    rank: 2,
  },
  {
    code: 'E100',
    status: 'Invalid request',
    lifecycle: 'send',
    detailType: 'MMS Request Invalid',
    outcome: 'failure',
    final: true,
    rank: 2,
  },
  {
    code: 'E011',
    status: 'Content validation failed',
    lifecycle: 'send',
    detailType: 'MMS Content Validation Failed',
    outcome: 'failure',
    final: true,
    rank: 2,
  },
  {
    code: 'E012',
    status: 'Transcoding failed',
    lifecycle: 'send',
    detailType: 'MMS Send Transcoding Failed',
    outcome: 'failure',
    final: true,
    rank: 2,
  },
  {
    code: 'E013',
    status: 'Transcoding failed',
    lifecycle: 'send',
    detailType: 'MMS Send Transcoding Failed',
    outcome: 'failure',
    final: true,
    rank: 2,
  },
  {
    code: 'N003',
    status: 'Transcoding successful',
    lifecycle: 'template',
    detailType: 'MMS Template Ready',
    outcome: 'success',
    final: true,
    rank: 2,
  },
  {
    code: 'E002',
    status: 'Transcoding failed',
    lifecycle: 'template',
    detailType: 'MMS Template Transcoding Failed',
    outcome: 'failure',
    final: true,
    rank: 2,
  },
  {
    code: 'E003',
    status: 'Transcoding failed',
    lifecycle: 'template',
    detailType: 'MMS Template Transcoding Failed',
    outcome: 'failure',
    final: true,
    rank: 2,
  },
  {
    code: 'E004',
    status: 'Transcoding failed',
    lifecycle: 'template',
    detailType: 'MMS Template Transcoding Failed',
    outcome: 'failure',
    final: true,
    rank: 2,
  },
  { code: 'N401', status: 'MMS MO received', lifecycle: 'inbound', detailType: 'MMS Received', outcome: 'success', final: true, rank: 2 },
] as const;

export type CatalogEntry = (typeof CATALOG)[number];
export type KnownCode = CatalogEntry['code'];

/** The detail-type of a well-formed code (`[NE]` + 3 digits) that the catalog does not know. */
export const UNRECOGNIZED_DETAIL_TYPE = 'MMS Postback Unrecognized' as const;

/**
 * The synthetic final state of a message that got no final postback in time
 * (`statusUnknownAfter` after its first accepted postback): published once, by the
 * status-unknown sweep, never by the provider. Rank 1.5: above `MMS Sent`, below every
 * real final code, so a real final postback arriving later still becomes the latest state.
 * Its code is not of the provider's form (`[NE]` + 3 digits), so no postback can carry it.
 */
export const STATUS_UNKNOWN = {
  code: 'UNKNOWN',
  status: 'Unknown',
  lifecycle: 'send',
  detailType: 'MMS Status Unknown',
  outcome: 'unknown',
  final: true,
  rank: 1.5,
  synthetic: true,
} as const;
export type StatusUnknownEntry = typeof STATUS_UNKNOWN;

/** Every detail-type this service publishes, in catalog order, without repeats. */
export type DetailType = CatalogEntry['detailType'] | typeof UNRECOGNIZED_DETAIL_TYPE | StatusUnknownEntry['detailType'];
export const DETAIL_TYPES: readonly DetailType[] = [
  ...new Set<DetailType>([...CATALOG.map((entry) => entry.detailType), STATUS_UNKNOWN.detailType, UNRECOGNIZED_DETAIL_TYPE]),
];

export type Lifecycle = CatalogEntry['lifecycle'] | 'unknown';
export type Outcome = CatalogEntry['outcome'] | 'unknown';

/** The shape every code must have; codes of this shape that the catalog lacks are "unrecognized". */
export const CODE_PATTERN = '^[NE][0-9]{3}$';

/** Codes of inbound (MO) postbacks: their origin is `MMS_MO` and `tracking-id` is optional. */
export const MO_CODES: readonly KnownCode[] = CATALOG.filter((e) => e.lifecycle === 'inbound').map((e) => e.code);
/** Codes of MT postbacks (send and template lifecycles): origin `MMS_MT`, `status` and `tracking-id` required. */
export const MT_CODES: readonly KnownCode[] = CATALOG.filter((e) => e.lifecycle !== 'inbound').map((e) => e.code);

const BY_CODE: ReadonlyMap<string, CatalogEntry> = new Map(CATALOG.map((entry) => [entry.code, entry]));

/**
 * The catalog entry of a code, or `undefined` for a code the catalog does not know.
 *
 * @example
 * lookupCode('N102')?.detailType; // 'MMS Delivered'
 */
export function lookupCode(code: string): CatalogEntry | undefined {
  return BY_CODE.get(code);
}
