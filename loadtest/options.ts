/**
 * The command line of `npm run loadtest`: the load test's options and, with `--campaign`,
 * the partition-heat simulation's (`campaign.ts`). Pure: `parseLoadtestArgs` returns the
 * options or `'help'` and throws a `UsageError` (see `local/cli.ts`).
 */
import { DEFAULT_WARM_WRITE_UNITS_PER_SECOND } from '../lambda/table/table-definition';
import { parseCommandLine, positiveNumber, UsageError } from '../local/cli';

export const LOADTEST_USAGE =
  'usage: npm run loadtest -- [--duration S] [--connections N] [--faults] [--lost-responses] [--json FILE] [--fault-window S] [--fault-on dynamodb|eventbridge|both] [--drain-timeout S] [--keep]';
export const CAMPAIGN_USAGE =
  'usage: npm run loadtest -- --campaign [--messages N (200)] [--malformed N (200)] [--connections C (4)] [--rate R (2000)] [--warm-write-units N (4000)] [--json FILE]';

export interface LoadtestOptions {
  readonly mode: 'load';
  readonly duration: number;
  readonly connections: number;
  readonly faults: boolean;
  readonly lostResponses: boolean;
  readonly json?: string;
  readonly drainTimeout: number;
  readonly keep: boolean;
  /** Seconds each fault window lasts (one every window + 4 s). @default 2 */
  readonly faultWindow: number;
  /** Which endpoints the fault windows hit. @default 'both' */
  readonly faultOn: 'dynamodb' | 'eventbridge' | 'both';
}

export interface CampaignOptions {
  readonly mode: 'campaign';
  readonly messages: number;
  readonly malformed: number;
  readonly connections: number;
  readonly rate: number;
  /** The warm throughput (write units per second) of the table and each index, as deployed. */
  readonly warm: number;
  readonly json?: string;
}

function nonEmpty(name: string, value: string | undefined): string | undefined {
  if (value === '') throw new UsageError(`${name} needs a file`);
  return value;
}

function parseCampaign(argv: readonly string[]): CampaignOptions {
  const { values } = parseCommandLine(argv, {
    campaign: { type: 'boolean' },
    messages: { type: 'string' },
    malformed: { type: 'string' },
    connections: { type: 'string' },
    rate: { type: 'string' },
    'warm-write-units': { type: 'string' },
    json: { type: 'string' },
  });
  const count = (name: keyof typeof values & string, fallback: number) => {
    const raw = values[name];
    return typeof raw === 'string' ? positiveNumber(`--${name}`, raw, true) : fallback;
  };
  const json = nonEmpty('--json', values.json);
  return {
    mode: 'campaign',
    messages: count('messages', 200),
    malformed: count('malformed', 200),
    connections: count('connections', 4),
    rate: count('rate', 2000),
    warm: count('warm-write-units', DEFAULT_WARM_WRITE_UNITS_PER_SECOND),
    ...(json === undefined ? {} : { json }),
  };
}

function parseLoad(argv: readonly string[]): LoadtestOptions | 'help' {
  const { values } = parseCommandLine(argv, {
    duration: { type: 'string' },
    connections: { type: 'string' },
    faults: { type: 'boolean' },
    'lost-responses': { type: 'boolean' },
    json: { type: 'string' },
    'drain-timeout': { type: 'string' },
    keep: { type: 'boolean' },
    'fault-window': { type: 'string' },
    'fault-on': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const faultOn = values['fault-on'] ?? 'both';
  if (faultOn !== 'dynamodb' && faultOn !== 'eventbridge' && faultOn !== 'both') {
    throw new UsageError(`--fault-on needs dynamodb, eventbridge or both, got "${faultOn}"`);
  }
  const number = (name: 'duration' | 'connections' | 'drain-timeout' | 'fault-window', fallback: number) => {
    const raw = values[name];
    return raw === undefined ? fallback : positiveNumber(`--${name}`, raw);
  };
  const lostResponses = values['lost-responses'] ?? false;
  // Shaping the fault windows implies faults.
  const faults = (values.faults ?? false) || lostResponses || values['fault-window'] !== undefined || values['fault-on'] !== undefined;
  const json = nonEmpty('--json', values.json);
  return {
    mode: 'load',
    duration: number('duration', 30),
    connections: Math.floor(number('connections', 32)),
    faults,
    lostResponses,
    ...(json === undefined ? {} : { json }),
    drainTimeout: number('drain-timeout', faults ? 90 : 30),
    keep: values.keep ?? false,
    faultWindow: number('fault-window', 2),
    faultOn,
  };
}

/**
 * Reads `npm run loadtest`'s command line: the campaign's options with `--campaign`, else the
 * load test's, or `'help'`.
 *
 * @example
 * parseLoadtestArgs(['--duration', '8', '--faults']); // { mode: 'load', duration: 8, faults: true, drainTimeout: 90, … }
 */
export function parseLoadtestArgs(argv: readonly string[]): LoadtestOptions | CampaignOptions | 'help' {
  const campaign = argv.includes('--campaign');
  try {
    return campaign ? parseCampaign(argv) : parseLoad(argv);
  } catch (error) {
    throw error instanceof UsageError ? new UsageError(`${error.message}: ${campaign ? CAMPAIGN_USAGE : LOADTEST_USAGE}`) : error;
  }
}
