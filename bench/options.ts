/**
 * The command line of `npm run bench`. Pure: `parseBenchArgs` returns the options or
 * `'help'` and throws a `UsageError` (see `local/cli.ts`).
 */
import { parseCommandLine, wholeNumber } from '../local/cli';

export const BENCH_USAGE =
  'usage: npm run bench -- [--quick] [--json FILE] [--enforce] [--cold-runs N (15)] [--warm N (2000)] [--warmup N (200)] [--no-source-maps] [--profile]';

export interface BenchOptions {
  /** Few runs, for a smoke test (1 cold, 50 warm, 10 warm-up unless given). */
  readonly quick: boolean;
  /** Timing budgets fail the run (exit code 2) instead of being reported. */
  readonly enforce: boolean;
  readonly json?: string;
  readonly coldRuns: number;
  readonly warm: number;
  readonly warmup: number;
  readonly sourceMaps: boolean;
  readonly profile: boolean;
}

/**
 * @example
 * parseBenchArgs(['--quick', '--json', 'out.json']); // { quick: true, coldRuns: 1, warm: 50, warmup: 10, json: 'out.json', … }
 */
export function parseBenchArgs(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseCommandLine(argv, {
    quick: { type: 'boolean' },
    enforce: { type: 'boolean' },
    json: { type: 'string' },
    'cold-runs': { type: 'string' },
    warm: { type: 'string' },
    warmup: { type: 'string' },
    'no-source-maps': { type: 'boolean' },
    profile: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const quick = values.quick ?? false;
  const count = (name: 'cold-runs' | 'warm' | 'warmup', full: number, few: number) => {
    const raw = values[name];
    return raw === undefined ? (quick ? few : full) : wholeNumber(`--${name}`, raw);
  };
  return {
    quick,
    enforce: values.enforce ?? false,
    ...(values.json === undefined ? {} : { json: values.json }),
    coldRuns: count('cold-runs', 15, 1),
    warm: count('warm', 2000, 50),
    warmup: count('warmup', 200, 10),
    sourceMaps: !(values['no-source-maps'] ?? false),
    profile: values.profile ?? false,
  };
}
