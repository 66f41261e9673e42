import { CAMPAIGN_USAGE, LOADTEST_USAGE, parseLoadtestArgs } from '../../loadtest/options';
import { UsageError } from '../../local/cli';

describe('npm run loadtest: arguments', () => {
  it('defaults to 30 s over 32 connections without faults, and a 30 s drain', () => {
    expect(parseLoadtestArgs([])).toEqual({
      mode: 'load',
      duration: 30,
      connections: 32,
      faults: false,
      lostResponses: false,
      drainTimeout: 30,
      keep: false,
      faultWindow: 2,
      faultOn: 'both',
    });
  });

  it('reads every option, in both forms; faults lengthen the drain, --lost-responses implies --faults', () => {
    expect(parseLoadtestArgs(['--duration', '8', '--connections=8.7', '--lost-responses', '--json', 'out.json', '--keep'])).toEqual({
      mode: 'load',
      duration: 8,
      connections: 8,
      faults: true,
      lostResponses: true,
      json: 'out.json',
      drainTimeout: 90,
      keep: true,
      faultWindow: 2,
      faultOn: 'both',
    });
    expect(parseLoadtestArgs(['--faults', '--drain-timeout', '5'])).toMatchObject({ faults: true, lostResponses: false, drainTimeout: 5 });
    // Shaping the windows implies --faults.
    expect(parseLoadtestArgs(['--fault-window', '12', '--fault-on', 'eventbridge'])).toMatchObject({
      faults: true,
      faultWindow: 12,
      faultOn: 'eventbridge',
      drainTimeout: 90,
    });
    expect(parseLoadtestArgs(['--fault-on=dynamodb'])).toMatchObject({ faults: true, faultOn: 'dynamodb', faultWindow: 2 });
  });

  it('reads --help and -h', () => {
    expect(parseLoadtestArgs(['--help'])).toBe('help');
    expect(parseLoadtestArgs(['-h'])).toBe('help');
  });

  it.each([
    [['--frobnicate'], 'unknown option --frobnicate'],
    [['--duration'], '--duration needs a value'],
    [['--duration', '0'], '--duration needs a positive number, got "0"'],
    [['--connections', 'many'], '--connections needs a positive number, got "many"'],
    [['--fault-on', 'kinesis'], '--fault-on needs dynamodb, eventbridge or both, got "kinesis"'],
    [['--fault-window', '0'], '--fault-window needs a positive number, got "0"'],
    [['--json='], '--json needs a file'],
    [['extra'], 'unexpected argument extra'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseLoadtestArgs(argv)).toThrow(new UsageError(`${message}: ${LOADTEST_USAGE}`));
  });

  it('reads the campaign mode with its own options and defaults', () => {
    expect(parseLoadtestArgs(['--campaign'])).toEqual({
      mode: 'campaign',
      messages: 200,
      malformed: 200,
      connections: 4,
      rate: 2000,
      warm: expect.any(Number),
    });
    expect(
      parseLoadtestArgs([
        '--campaign',
        '--messages',
        '50',
        '--malformed=10',
        '--connections',
        '2',
        '--rate',
        '500',
        '--warm-write-units',
        '900',
        '--json',
        'c.json',
      ]),
    ).toEqual({ mode: 'campaign', messages: 50, malformed: 10, connections: 2, rate: 500, warm: 900, json: 'c.json' });
  });

  it.each([
    [['--campaign', '--messages', '1.5'], '--messages needs a positive whole number, got "1.5"'],
    [['--campaign', '--duration', '8'], 'unknown option --duration'],
  ])('refuses %j in the campaign mode: %s', (argv, message) => {
    expect(() => parseLoadtestArgs(argv)).toThrow(new UsageError(`${message}: ${CAMPAIGN_USAGE}`));
  });
});
