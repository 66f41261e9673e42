/**
 * The command-line conventions of the project's CLIs (`npm run postback`, `npm start`,
 * `npm run loadtest`, `npm run bench`, `npm run replay-rejected`, `npm run gen`): options
 * are read by `node:util` `parseArgs` in strict mode (`--name value` or `--name=value`), each
 * CLI's parser is a pure function that returns its options (or `'help'`) and throws a
 * {@link UsageError} with a one-line message; the CLI prints `<cli>: <message>` and exits
 * with code 2.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A wrong command line: its message is one line that says what to change. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Node's parseArgs messages, in the CLIs' words. */
function usageMessage(error: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `${quoted.replace(/ <value>$/, '').replace(/^-\w, /, '')} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted}`;
    default:
      return error.message;
  }
}

/**
 * `parseArgs` in strict mode over `argv`, with its errors turned into {@link UsageError}s
 * (`unknown option --x`, `--url needs a value`, `unexpected argument x`).
 *
 * @example
 * const { values } = parseCommandLine(['--json', 'out.json'], { json: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
 */
export function parseCommandLine<O extends Options>(argv: readonly string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError(usageMessage(error as Error & { code?: string }));
  }
}

/** `raw` as a number above 0 (`integer`: a whole one), or a {@link UsageError} naming the option. */
export function positiveNumber(name: string, raw: string, integer = false): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(`${name} needs a positive ${integer ? 'whole number' : 'number'}, got "${raw}"`);
  return n;
}

/** `raw` as a whole number of at least `min`, or a {@link UsageError} naming the option. */
export function wholeNumber(name: string, raw: string, min = 0): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min)
    throw new UsageError(`${name} must be a whole number, at least ${min}, got "${raw}"`);
  return n;
}
