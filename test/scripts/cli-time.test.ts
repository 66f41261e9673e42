import { UsageError } from '../../local/cli';
import { parseCliTime, parseCliWindow } from '../../scripts/cli-time';

describe('parseCliTime', () => {
  it.each([
    ['2026-11-30', '2026-11-30T00:00:00.000Z'],
    ['2026-02-28', '2026-02-28T00:00:00.000Z'],
    ['2028-02-29', '2028-02-29T00:00:00.000Z'],
    ['2026-11-30T08:00:00Z', '2026-11-30T08:00:00.000Z'],
    ['2026-11-30T08:00Z', '2026-11-30T08:00:00.000Z'],
    ['2026-11-30T09:00:00.250+01:00', '2026-11-30T08:00:00.250Z'],
    [' 2026-11-30T03:00:00-05:00 ', '2026-11-30T08:00:00.000Z'],
  ])('reads %j as %s', (text, iso) => {
    expect(parseCliTime(text, '--since').toISOString()).toBe(iso);
  });

  it.each([
    ['2026-02-30', '--since is not a calendar date and time: "2026-02-30"'],
    ['2026-02-29', '--since is not a calendar date and time: "2026-02-29"'],
    ['2026-13-01', '--since is not a calendar date and time: "2026-13-01"'],
    ['2026-04-31T00:00:00Z', '--since is not a calendar date and time: "2026-04-31T00:00:00Z"'],
    ['2026-11-30T24:00:00Z', '--since is not a calendar date and time: "2026-11-30T24:00:00Z"'],
    [
      '2026-11-30T08:00:00',
      '--since must be an ISO 8601 date (2026-11-30) or date-time with a zone (2026-11-30T08:00:00Z), got "2026-11-30T08:00:00"',
    ],
    ['yesterday', '--since must be an ISO 8601 date (2026-11-30) or date-time with a zone (2026-11-30T08:00:00Z), got "yesterday"'],
  ])('refuses %j with a usage error naming the flag', (text, message) => {
    expect(() => parseCliTime(text, '--since')).toThrow(new UsageError(message));
  });
});

describe('parseCliWindow', () => {
  const now = new Date('2026-11-30T12:00:00Z');

  it('reads --since and --until, --until defaulting to now', () => {
    expect(parseCliWindow({ since: '2026-11-30' }, now)).toEqual({ since: new Date('2026-11-30T00:00:00Z'), until: now });
    expect(parseCliWindow({ since: '2026-11-29', until: '2026-11-30T08:00:00Z' }, now)).toEqual({
      since: new Date('2026-11-29T00:00:00Z'),
      until: new Date('2026-11-30T08:00:00Z'),
    });
  });

  it('reads each time with the reader given, naming its flag', () => {
    const read = (text: string, flag: string) => (flag === '--since' && text === 'start' ? new Date('2026-11-30T06:00:00Z') : now);
    expect(parseCliWindow({ since: 'start', until: 'end' }, now, read)).toEqual({ since: new Date('2026-11-30T06:00:00Z'), until: now });
  });

  it.each([
    [{}, '--since is required'],
    [{ since: '2026-11-30T12:00:00Z' }, '--until must be after --since'],
    [{ since: '2026-11-30', until: '2026-11-29' }, '--until must be after --since'],
  ])('refuses %j: %s', (values, message) => {
    expect(() => parseCliWindow(values, now)).toThrow(new UsageError(message));
  });
});
