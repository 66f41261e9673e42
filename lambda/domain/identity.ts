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

/**
 * The tracking-id of an inbound (MO) postback that came without one, derived from
 * `from`, `to` and the timestamp, so that a retried MO postback is still recognised.
 *
 * @example
 * derivedMoTrackingId({ from: '17745550001', to: '18885551234', instantKey: '2026-04-24T18:34:00.000000000Z' }); // 'mo-…'
 */
export function derivedMoTrackingId(input: { readonly from?: string; readonly to?: string; readonly instantKey: string }): string {
  return `mo-${digest(['MMS_MO', input.from ?? '', input.to ?? '', input.instantKey], 24)}`;
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
