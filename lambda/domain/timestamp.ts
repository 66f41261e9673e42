/**
 * Timestamps arrive with `Z` or with an offset (`2014-02-03T11:19:49-05:00`). They are
 * compared as instants: this module turns them into a canonical UTC form with nine
 * fraction digits, whose string order is time order.
 */

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

const FOUR_CENTURIES_MS = 146_097 * 86_400_000;

export interface Instant {
  /** Canonical UTC form, e.g. `2026-04-24T18:30:00.000000000Z`; lexicographic order is time order. */
  readonly key: string;
  /** Milliseconds since the epoch (sub-millisecond digits dropped). */
  readonly epochMs: number;
}

/**
 * Parses an ISO 8601 timestamp with a zone into an {@link Instant}, or `undefined`
 * when it is not one (wrong shape, or an impossible date or time such as February 30).
 *
 * @example
 * toInstant('2014-02-03T11:19:49-05:00')?.key; // '2014-02-03T16:19:49.000000000Z'
 */
export function toInstant(timestamp: string): Instant | undefined {
  const m = TIMESTAMP.exec(timestamp);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, fraction = '', zulu, sign, oh = '0', om = '0'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const offsetHours = Number(oh);
  const offsetMinutes = Number(om);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (!zulu && (offsetHours > 23 || offsetMinutes > 59)) return undefined;
  // Date.UTC maps years 0-99 to 1900-1999; shifting by 400 years (a whole Gregorian cycle) avoids that.
  const local = Date.UTC(year + 400, month - 1, day, hour, minute, second) - FOUR_CENTURIES_MS;
  const check = new Date(local);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined; // e.g. Feb 30
  const offsetMs = zulu ? 0 : (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const utcSeconds = local - offsetMs;
  const utc = new Date(utcSeconds);
  const utcYear = utc.getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999) return undefined;
  const nanos = fraction.padEnd(9, '0');
  const key = `${utc.toISOString().slice(0, 19)}.${nanos}Z`;
  return { key, epochMs: utcSeconds + Number(nanos.slice(0, 3)) };
}
