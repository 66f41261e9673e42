import { createHash } from 'node:crypto';

function digest(parts: readonly string[], length: number): string {
  // JSON array encoding keeps field boundaries unambiguous ("a|b" + "c" vs "a" + "b|c").
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, length);
}

/**
 * The deterministic id of a postback: the same postback always gets the same id;
 * postbacks that differ in tracking-id, code, timestamp (as an instant) or `to` differ.
 *
 * @example
 * postbackIdOf({ trackingId: 'abc123xyz', code: 'N101', instantKey: '2026-04-24T18:30:00.000000000Z', to: '17745550001' });
 */
export function postbackIdOf(input: {
  readonly trackingId: string;
  readonly code: string;
  readonly instantKey: string;
  readonly to?: string;
}): string {
  return digest([input.trackingId, input.code, input.instantKey, input.to ?? ''], 32);
}

/** The content fields of an inbound (MO) postback, as the event Detail carries them. */
export interface MoContent {
  readonly keyword?: string;
  readonly messageSubject?: string;
  readonly contentFiles?: readonly string[];
  readonly copyTo?: readonly string[];
}

/**
 * The tracking-id of an inbound (MO) postback that came without one, derived from `from`,
 * `to`, the timestamp (as an instant) and a digest of the content fields (`keyword`,
 * `message-subject`, `content`, `copy-to`): a retried MO postback is still recognised,
 * while two different inbound messages from one phone in the same second stay two messages.
 * An absent field and an empty one are told apart.
 *
 * @example
 * derivedMoTrackingId({ from: '17745550001', to: '18885551234', instantKey: '2026-04-24T18:34:00.000000000Z', content: { keyword: 'INFO' } }); // 'mo-…'
 */
export function derivedMoTrackingId(input: {
  readonly from?: string;
  readonly to?: string;
  readonly instantKey: string;
  readonly content: MoContent;
}): string {
  const { keyword, messageSubject, contentFiles, copyTo } = input.content;
  const contentDigest = digest([JSON.stringify([keyword ?? null, messageSubject ?? null, contentFiles ?? null, copyTo ?? null])], 64);
  return `mo-${digest(['MMS_MO', input.from ?? '', input.to ?? '', input.instantKey, contentDigest], 24)}`;
}

/**
 * The id of the synthetic `MMS Status Unknown` postback of a message: one per tracking-id,
 * so that a second or concurrent sweep finds it already written.
 *
 * @example
 * statusUnknownPostbackId('abc123xyz'); // 32 hex digits, always the same for this tracking-id
 */
export function statusUnknownPostbackId(trackingId: string): string {
  return digest(['MMS Status Unknown', trackingId], 32);
}
