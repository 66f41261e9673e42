/**
 * The one reading of a date or time given on a command line, shared by every CLI that takes
 * one (`npm run replay-rejected -- --since …`, …).
 */
import { toInstant } from '../lambda/domain/timestamp';
import { UsageError } from '../local/cli';

const DATE = /^(\d{4}-\d{2}-\d{2})$/;
/** A date-time whose seconds are left out (`2026-11-30T08:00Z`): ISO 8601 allows it. */
const WITHOUT_SECONDS = /^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2})([Zz]|[+-]\d{2}:?\d{2})$/;

/**
 * A date (`2026-11-30`, midnight UTC) or a date-time with a zone (`2026-11-30T08:00:00Z`,
 * `2026-11-30T09:00:00+01:00`, seconds and fraction optional), checked as a real calendar date
 * and clock time: `2026-02-30` or `24:00` is a {@link UsageError} naming the flag, never
 * rolled over into the next month or day.
 *
 * @example
 * parseCliTime('2026-11-30', '--since'); // 2026-11-30T00:00:00.000Z
 * parseCliTime('2026-02-30', '--since'); // throws UsageError('--since is not a calendar date: "2026-02-30" …')
 */
export function parseCliTime(text: string, flag: string): Date {
  const value = text.trim();
  const date = DATE.exec(value);
  const short = WITHOUT_SECONDS.exec(value);
  const candidate = date ? `${date[1]}T00:00:00Z` : short ? `${short[1]}:00${short[2]}` : value;
  const instant = toInstant(candidate);
  if (instant === undefined) {
    const shaped = date || short || /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/.test(value);
    throw new UsageError(
      shaped
        ? `${flag} is not a calendar date and time: "${text}"`
        : `${flag} must be an ISO 8601 date (2026-11-30) or date-time with a zone (2026-11-30T08:00:00Z), got "${text}"`,
    );
  }
  return new Date(instant.epochMs);
}

/**
 * The window [since, until) of a command line: `--since` is required, `--until` defaults to
 * `now` and must come after `--since`; each is read by `read` ({@link parseCliTime} unless
 * the CLI takes more forms). Throws a {@link UsageError}.
 *
 * @example
 * parseCliWindow({ since: '2026-11-30' }, now); // { since: 2026-11-30T00:00:00.000Z, until: now }
 */
export function parseCliWindow(
  values: { readonly since?: string; readonly until?: string },
  now: Date,
  read: (text: string, flag: string) => Date = parseCliTime,
): { since: Date; until: Date } {
  if (values.since === undefined) throw new UsageError('--since is required');
  const since = read(values.since, '--since');
  const until = values.until === undefined ? now : read(values.until, '--until');
  if (until.getTime() <= since.getTime()) throw new UsageError('--until must be after --since');
  return { since, until };
}
