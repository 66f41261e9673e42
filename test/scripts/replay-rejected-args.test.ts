import { UsageError } from '../../local/cli';
import { main, parseReplayArgs } from '../../scripts/replay-rejected';

describe('npm run replay-rejected: arguments', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  const env = { TABLE_NAME: 't' };

  it('reads the window as ages or times, and the target from the environment or the options', () => {
    expect(parseReplayArgs(['--since', '6h', '--dry-run'], env, now)).toEqual({
      since: new Date('2026-11-30T06:00:00Z'),
      until: now,
      dryRun: true,
      tableName: 't',
    });
    expect(parseReplayArgs(['--since=2026-11-29', '--until', '90m', '--table', 'x', '--region', 'eu-west-1'], {}, now)).toEqual({
      since: new Date('2026-11-29T00:00:00Z'),
      until: new Date('2026-11-30T10:30:00Z'),
      dryRun: false,
      tableName: 'x',
      region: 'eu-west-1',
    });
    expect(parseReplayArgs(['-h'], {}, now)).toBe('help');
  });

  it.each([
    [['--since', '6h', '--bogus'], 'unknown option --bogus'],
    [['--since'], '--since needs a value'],
    [[], '--since is required'],
    [['--since', 'yesterday'], '--since must be an ISO 8601 time or an age like 6h, got "yesterday"'],
    [['--since', '1h', '--until', '2h'], '--until must be after --since'],
    [['--since', '2026-02-30'], '--since is not a calendar date and time: "2026-02-30"'],
    [['--since', '6h', '--until', '2026-11-31T00:00:00Z'], '--until is not a calendar date and time: "2026-11-31T00:00:00Z"'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseReplayArgs(argv, env, now)).toThrow(new UsageError(message));
  });
});

describe('npm run replay-rejected: a date that is not on the calendar', () => {
  it('exits 2 with the usage, before anything is read or replayed', async () => {
    const err: string[] = [];
    const code = await main(['--since', '2026-02-30', '--table', 't'], {
      out: () => undefined,
      err: (line) => err.push(line),
    });
    expect(code).toBe(2);
    expect(err[0]).toMatch(/^replay-rejected: --since is not a calendar date and time: "2026-02-30"\n\nusage: /);
  });
});
