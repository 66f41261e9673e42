/**
 * `npm run replay-rejected -- --since <time> [--until <time>] [--dry-run] [--table <name>] [--region <region>]`
 *
 * Re-submits the kept rejected postbacks received in [since, until) through the ingest
 * function's pipeline, in this process, with the real store of the target (a deployed
 * stack through the AWS SDK's default credential chain, or the local run through the
 * standard `AWS_ENDPOINT_URL_DYNAMODB` variable), and marks each record with the outcome.
 * It publishes nothing itself: an accepted replay is stored, and its event follows from
 * the table's stream like any postback's. See docs/operations.md.
 *
 * This file is the command line (arguments, clients, output); the replay itself is
 * `scripts/rejected-postbacks/replay.ts`.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbRejectedRecords } from '../lambda/adapters/rejected-records';
import { defaultIngestDeps } from '../lambda/ingest/ingest-handler-factory';
import { parseCommandLine, UsageError } from '../local/cli';
import { parseCliTime, parseCliWindow } from './cli-time';
import { type RejectedRecords, type ReplayLine, replayPipeline, replayRejected } from './rejected-postbacks/replay';

export const USAGE = `usage: npm run replay-rejected -- --since <time> [--until <time>] [--dry-run] [options]

Replays rejected postbacks (refused with 400, 413 or 415 and kept) received in [since, until)
through the ingest pipeline, and marks each record with the outcome. Records replayed
successfully before are skipped, so running it twice stores nothing twice. The events of
accepted replays follow from the table's stream.

  --since <time>          ISO 8601 time (2026-11-30T08:00:00Z, 2026-11-30) or an age (90m, 6h, 2d)
  --until <time>          the same forms; default: now
  --dry-run               show what each record would come to; change nothing
  --table <name>          the table (default: $TABLE_NAME)
  --region <region>       the AWS region (default: the SDK's: $AWS_REGION, the profile's)

Credentials and region come from the AWS SDK's default chain (AWS_PROFILE, SSO, environment,
instance role). For the local run, point it there with AWS_ENDPOINT_URL_DYNAMODB (printed by
npm start).`;

export interface ReplayArgs {
  readonly since: Date;
  readonly until: Date;
  readonly dryRun: boolean;
  readonly tableName: string;
  readonly region?: string;
}

const AGE = /^(\d+)(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A time given as ISO 8601 (a calendar date or a date-time with a zone: {@link parseCliTime}) or as an age before `now` (`90m`, `6h`, `2d`). */
export function parseTime(name: string, value: string, now: Date): Date {
  const age = AGE.exec(value.trim());
  if (age) return new Date(now.getTime() - Number(age[1]) * UNIT_MS[age[2] as keyof typeof UNIT_MS]);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value.trim())) throw new UsageError(`${name} must be an ISO 8601 time or an age like 6h, got "${value}"`);
  return parseCliTime(value, name);
}

/**
 * Reads the command line; `help` when --help was given.
 *
 * @example
 * parseReplayArgs(['--since', '6h', '--dry-run'], { TABLE_NAME: 't' }, new Date());
 */
export function parseReplayArgs(argv: readonly string[], env: NodeJS.ProcessEnv, now: Date): ReplayArgs | 'help' {
  const { values } = parseCommandLine(argv, {
    since: { type: 'string' },
    until: { type: 'string' },
    'dry-run': { type: 'boolean' },
    table: { type: 'string' },
    region: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const { since, until } = parseCliWindow(values, now, (text, flag) => parseTime(flag, text, now));
  const tableName = values.table?.trim() || env.TABLE_NAME?.trim();
  if (!tableName) throw new UsageError('the table is unknown: give --table (the stack output TableName) or set TABLE_NAME');
  return {
    since,
    until,
    dryRun: values['dry-run'] ?? false,
    tableName,
    ...(values.region ? { region: values.region } : {}),
  };
}

/** One line per record, for people. */
export function formatLine(line: ReplayLine): string {
  const what = line.outcome
    ? `${line.outcome.result}${line.outcome.statusCode ? ` (${line.outcome.statusCode})` : ''}${line.outcome.postbackId ? ` postbackId ${line.outcome.postbackId}` : ''}${line.outcome.message ? `: ${line.outcome.message}` : ''}`
    : (line.detail ?? '');
  return `${line.receivedAt.toISOString()}  ${line.requestId}  ${line.action.padEnd(12)} ${what}${line.note ? ` (${line.note})` : ''}`;
}

/** Counts per action and result, for the last line. */
export function summarize(lines: readonly ReplayLine[]): string {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const key = line.outcome ? line.outcome.result : line.action;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const parts = [...counts].map(([key, count]) => `${count} ${key}`);
  return `${lines.length} record(s)${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/**
 * Runs the command; resolves the exit code (0: done, every record replayed or skipped;
 * 1: some replay failed with 5xx and can be run again; 2: usage).
 */
export async function main(
  argv: readonly string[],
  io: { out: (line: string) => void; err: (line: string) => void } = { out: console.log, err: console.error },
  records?: (client: DynamoDBClient, tableName: string) => RejectedRecords,
): Promise<number> {
  let args: ReplayArgs | 'help';
  try {
    args = parseReplayArgs(argv, process.env, new Date());
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`replay-rejected: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    io.out(USAGE);
    return 0;
  }
  // The SDK's default chain resolves where and as whom; the ingest wiring then gets them the
  // way Lambda gives them to the function: in the standard environment variables.
  const client = new DynamoDBClient(args.region ? { region: args.region } : {});
  const [region, credentials] = await Promise.all([client.config.region(), client.config.credentials()]);
  process.env.POWERTOOLS_METRICS_DISABLED = 'true'; // no CloudWatch here: EMF lines would only clutter the output
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const deps = defaultIngestDeps({
    ...process.env,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    TABLE_NAME: args.tableName,
  });
  const { pipeline, token } = replayPipeline(deps);
  io.out(
    `${args.dryRun ? 'Dry run: nothing is changed. ' : ''}Replaying rejected postbacks received from ${args.since.toISOString()} to ${args.until.toISOString()} (table ${args.tableName}, ${region})`,
  );
  try {
    const lines = await replayRejected({
      records: (records ?? ((c, t) => new DynamoDbRejectedRecords(c, t)))(client, args.tableName),
      pipeline,
      token,
      since: args.since,
      until: args.until,
      dryRun: args.dryRun,
      onLine: (line) => io.out(formatLine(line)),
    });
    io.out(summarize(lines));
    return lines.some((line) => line.outcome?.result === 'failed') ? 1 : 0;
  } finally {
    client.destroy();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`replay-rejected: ${(error as Error)?.message ?? String(error)}`);
      process.exit(1);
    },
  );
}
