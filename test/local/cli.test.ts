import { parseCommandLine, positiveNumber, UsageError, wholeNumber } from '../../local/cli';

describe('the CLIs’ command-line parsing', () => {
  const options = { url: { type: 'string' }, xml: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

  it('reads both option forms and positionals where allowed', () => {
    expect(parseCommandLine(['--url', 'a', '--xml', 'n101'], options, true)).toMatchObject({
      values: { url: 'a', xml: true },
      positionals: ['n101'],
    });
    expect(parseCommandLine(['--url=b', '-h'], options).values).toEqual({ url: 'b', help: true });
  });

  it.each([
    [['--nope'], 'unknown option --nope'],
    [['-x'], 'unknown option -x'],
    [['--url'], '--url needs a value'],
    [['--url', '--xml'], '--url needs a value'],
    [['n101'], 'unexpected argument n101'],
  ])('turns %j into the usage error "%s"', (argv, message) => {
    expect(() => parseCommandLine(argv, options)).toThrow(new UsageError(message));
  });

  it('reads numbers and names the option when one is wrong', () => {
    expect(positiveNumber('--rate', '2.5')).toBe(2.5);
    expect(positiveNumber('--rate', '3', true)).toBe(3);
    expect(wholeNumber('--warm', '0')).toBe(0);
    expect(() => positiveNumber('--rate', '2.5', true)).toThrow(new UsageError('--rate needs a positive whole number, got "2.5"'));
    expect(() => positiveNumber('--rate', '')).toThrow(new UsageError('--rate needs a positive number, got ""'));
    expect(() => wholeNumber('--warm', '1', 2)).toThrow(new UsageError('--warm must be a whole number, at least 2, got "1"'));
  });
});
