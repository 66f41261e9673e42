/**
 * Timestamps arrive with `Z` or with an offset (`2014-02-03T11:19:49-05:00`) and with any
 * number of fraction digits. They are compared as instants: this module turns them into a
 * canonical UTC form whose string order is time order.
 *
 * The canonical form has at least nine fraction digits before the `Z`
 * (`2026-04-24T18:30:00.500000000Z`); significant digits beyond the ninth follow the `Z`
 * without trailing zeros (`2026-04-24T18:30:00.123456789Z0001` for `.1234567890001`). A key
 * is then a prefix of another only when the other is later, so plain string comparison
 * orders every fraction length correctly, and the same instant always has the same key.
 */

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/** Fraction digits written before the `Z` of a canonical key. */
const KEY_FRACTION_DIGITS = 9;

const FOUR_CENTURIES_MS = 146_097 * 86_400_000;

export interface Instant {
  /**
   * Canonical UTC form, e.g. `2026-04-24T18:30:00.000000000Z` (digits beyond the ninth follow
   * the `Z`); lexicographic order is time order, also when a key is followed by a separator
   * that sorts before the digits, such as `#`.
   */
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
  const significant = fraction.replace(/0+$/, '');
  const head = significant.slice(0, KEY_FRACTION_DIGITS).padEnd(KEY_FRACTION_DIGITS, '0');
  const tail = significant.slice(KEY_FRACTION_DIGITS);
  const key = `${utc.toISOString().slice(0, 19)}.${head}Z${tail}`;
  return { key, epochMs: utcSeconds + Number(head.slice(0, 3)) };
}

/**
 * The provider's form of an instant as seen at a zone `offsetMinutes` from UTC (`Z` for 0),
 * with milliseconds when `withFraction`; {@link toInstant} reads it back to the same instant.
 *
 * @example
 * formatTimestamp(Date.parse('2014-02-03T16:19:49Z'), -300); // '2014-02-03T11:19:49-05:00'
 */
export function formatTimestamp(epochMs: number, offsetMinutes: number, withFraction = false): string {
  const local = new Date(epochMs + offsetMinutes * 60_000).toISOString(); // shifted wall clock, as UTC text
  const base = withFraction ? local.slice(0, 23) : local.slice(0, 19);
  if (offsetMinutes === 0) return `${base}Z`;
  const sign = offsetMinutes > 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return `${base}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
