import { parseBenchArgs } from '../../bench/options';
import { UsageError } from '../../local/cli';

describe('npm run bench: arguments', () => {
  it('defaults to the full run the budgets are set for', () => {
    expect(parseBenchArgs([])).toEqual({
      quick: false,
      enforce: false,
      coldRuns: 15,
      warm: 2000,
      warmup: 200,
      sourceMaps: true,
      profile: false,
    });
  });

  it('--quick lowers the counts it is not given; the other options are read as given', () => {
    expect(parseBenchArgs(['--quick', '--warm', '100'])).toMatchObject({ quick: true, coldRuns: 1, warm: 100, warmup: 10 });
    expect(parseBenchArgs(['--enforce', '--json', 'b.json', '--cold-runs=20', '--warmup', '0', '--no-source-maps', '--profile'])).toEqual({
      quick: false,
      enforce: true,
      json: 'b.json',
      coldRuns: 20,
      warm: 2000,
      warmup: 0,
      sourceMaps: false,
      profile: true,
    });
    expect(parseBenchArgs(['--help'])).toBe('help');
  });

  it.each([
    [['--fast'], 'unknown option --fast'],
    [['--json'], '--json needs a value'],
    [['--warm', '-1'], '--warm needs a value'],
    [['--warm=-1'], '--warm must be a whole number, at least 0, got "-1"'],
    [['--cold-runs', '2.5'], '--cold-runs must be a whole number, at least 0, got "2.5"'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(new UsageError(message));
  });
});
