import { UsageError } from '../../local/cli';
import { parseRepublishArgs } from '../../scripts/republish';

describe('npm run republish: arguments', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  const env = { TABLE_NAME: 't', EVENT_BUS_NAME: 'b' };

  it('reads the window, the message and the target from the options or the environment', () => {
    expect(parseRepublishArgs(['--since', '2026-11-30T08:00:00Z', '--dry-run'], env, now)).toEqual({
      since: new Date('2026-11-30T08:00:00Z'),
      until: now,
      dryRun: true,
      tableName: 't',
      eventBusName: 'b',
      eventSource: 'mms.postbacks',
    });
    expect(
      parseRepublishArgs(
        [
          '--since=2026-11-29',
          '--until',
          '2026-11-30T09:00:00+01:00',
          '--tracking-id',
          'abc123xyz',
          '--table',
          'x',
          '--event-bus',
          'arn:aws:events:eu-west-1:123456789012:event-bus/shared',
          '--event-source',
          's',
          '--region',
          'eu-west-1',
        ],
        {},
        now,
      ),
    ).toEqual({
      since: new Date('2026-11-29T00:00:00Z'),
      until: new Date('2026-11-30T08:00:00Z'),
      trackingId: 'abc123xyz',
      dryRun: false,
      tableName: 'x',
      eventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/shared',
      eventSource: 's',
      region: 'eu-west-1',
    });
    expect(parseRepublishArgs(['-h'], {}, now)).toBe('help');
  });

  it.each([
    [['--since', '2026-11-30', '--bogus'], 'unknown option --bogus'],
    [['--since'], '--since needs a value'],
    [[], '--since is required'],
    [['--since', '2026-02-30'], '--since is not a calendar date and time: "2026-02-30"'],
    [['--since', '2026-11-30', '--until', '2026-11-31T00:00:00Z'], '--until is not a calendar date and time: "2026-11-31T00:00:00Z"'],
    [
      ['--since', 'yesterday'],
      '--since must be an ISO 8601 date (2026-11-30) or date-time with a zone (2026-11-30T08:00:00Z), got "yesterday"',
    ],
    [['--since', '2026-11-30T10:00:00Z', '--until', '2026-11-30T09:00:00Z'], '--until must be after --since'],
    [['--since', '2026-11-30', '--tracking-id', ' '], '--tracking-id must not be empty'],
    [['--since', '2026-11-30', 'extra'], 'unexpected argument extra'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseRepublishArgs(argv, env, now)).toThrow(new UsageError(message));
  });

  it('needs a table and a bus', () => {
    expect(() => parseRepublishArgs(['--since', '2026-11-30'], { EVENT_BUS_NAME: 'b' }, now)).toThrow(/the table is unknown/);
    expect(() => parseRepublishArgs(['--since', '2026-11-30'], { TABLE_NAME: 't' }, now)).toThrow(/the bus is unknown/);
  });
});
