/**
 * `npm run republish -- --since <time> [--until <time>] [--tracking-id <id>] [--dry-run] [--table <name>] [--event-bus <name>] [--event-source <source>] [--region <region>]`
 *
 * Rebuilds the events of the history entries stored (received) in [since, until) and
 * publishes them again, with the publisher function's own code: the same rebuild from the
 * stored entry (`lambda/publisher/rebuild-event.ts`), the same use case (requests of at most
 * 10 entries and 256 KB, failed entries retried with backoff) and the same EventBridge
 * adapter. For after the publisher's on-failure alarm, or for a consumer that missed events;
 * consumers deduplicate on `postbackId`. Against a deployed stack through the AWS SDK's
 * default credential chain, or the local run through `AWS_ENDPOINT_URL_DYNAMODB` /
 * `AWS_ENDPOINT_URL_EVENTBRIDGE`. See docs/operations.md.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDbHistory, type HistoryWindow } from '../lambda/adapters/dynamodb-history';
import { EventBridgePublisher } from '../lambda/adapters/eventbridge-publisher';
import { DEFAULTS } from '../lambda/config-contract';
import type { EventBatchPublisher, StoredEntry } from '../lambda/ports';
import { type BatchItem, createPublishEntries } from '../lambda/publisher/publish-entries';
import { rebuildEvent } from '../lambda/publisher/rebuild-event';
import { parseCommandLine, UsageError } from '../local/cli';
import { parseCliWindow } from './cli-time';

export const USAGE = `usage: npm run republish -- --since <time> [--until <time>] [--tracking-id <id>] [--dry-run] [options]

Rebuilds the events of the postbacks stored (received) in [since, until) from their history
entries and publishes them again on the bus, as the publisher function does. Consumers
deduplicate on postbackId. Run it after the publisher's on-failure alarm (the queue message
tells the time window), or for a consumer that missed events.

  --since <time>          ISO 8601 date (2026-11-30) or date-time with a zone (2026-11-30T08:00:00Z)
  --until <time>          the same forms; default: now
  --tracking-id <id>      only this message (a Query; without it the whole table is scanned)
  --dry-run               list what would be published; publish nothing
  --table <name>          the table (default: $TABLE_NAME)
  --event-bus <name>      the bus (name or ARN; default: $EVENT_BUS_NAME)
  --event-source <source> the events' Source (default: $EVENT_SOURCE or mms.postbacks)
  --region <region>       the AWS region (default: the SDK's: $AWS_REGION, the profile's)

Credentials and region come from the AWS SDK's default chain. For the local run, point it there
with AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_EVENTBRIDGE (printed by npm start).`;

export interface RepublishArgs {
  readonly since: Date;
  readonly until: Date;
  readonly trackingId?: string;
  readonly dryRun: boolean;
  readonly tableName: string;
  readonly eventBusName: string;
  readonly eventSource: string;
  readonly region?: string;
}

/**
 * Reads the command line; `help` when --help was given. Pure: throws a {@link UsageError}.
 *
 * @example
 * parseRepublishArgs(['--since', '2026-11-30T08:00:00Z'], { TABLE_NAME: 't', EVENT_BUS_NAME: 'b' }, new Date());
 */
export function parseRepublishArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  now: Date,
): RepublishArgs | 'help' {
  const { values } = parseCommandLine(argv, {
    since: { type: 'string' },
    until: { type: 'string' },
    'tracking-id': { type: 'string' },
    'dry-run': { type: 'boolean' },
    table: { type: 'string' },
    'event-bus': { type: 'string' },
    'event-source': { type: 'string' },
    region: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const { since, until } = parseCliWindow(values, now);
  const trackingId = values['tracking-id']?.trim();
  if (values['tracking-id'] !== undefined && !trackingId) throw new UsageError('--tracking-id must not be empty');
  const tableName = values.table?.trim() || env.TABLE_NAME?.trim();
  if (!tableName) throw new UsageError('the table is unknown: give --table (the stack output TableName) or set TABLE_NAME');
  const eventBusName = values['event-bus']?.trim() || env.EVENT_BUS_NAME?.trim();
  if (!eventBusName) throw new UsageError('the bus is unknown: give --event-bus (the stack output EventBusName) or set EVENT_BUS_NAME');
  return {
    since,
    until,
    ...(trackingId ? { trackingId } : {}),
    dryRun: values['dry-run'] ?? false,
    tableName,
    eventBusName,
    eventSource: values['event-source']?.trim() || env.EVENT_SOURCE?.trim() || DEFAULTS.eventSource,
    ...(values.region ? { region: values.region } : {}),
  };
}

/** What a run did. */
export interface RepublishReport {
  /** History entries found in the window. */
  readonly found: number;
  /** Events published (0 in a dry run). */
  readonly published: number;
  /** The postback id of the first entry not published when the run stopped on a failure. */
  readonly failedAt?: string;
}

export interface RepublishOptions {
  readonly history: { entries(window: HistoryWindow): AsyncIterable<StoredEntry> };
  readonly publisher: EventBatchPublisher;
  readonly window: HistoryWindow;
  readonly dryRun?: boolean;
  /** Called with one line per entry, for people. */
  readonly onLine?: (line: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Republishes the events of the entries of a window, oldest receipt first (so that the
 * events of one message keep their stored order), through the publisher's use case.
 *
 * @example
 * const report = await republish({ history, publisher, window: { since, until } });
 */
export async function republish(options: RepublishOptions): Promise<RepublishReport> {
  const entries: StoredEntry[] = [];
  for await (const entry of options.history.entries(options.window)) entries.push(entry);
  entries.sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0));
  for (const entry of entries) {
    let what: string;
    try {
      what = rebuildEvent(entry).record.detailType;
    } catch (error) {
      what = `cannot be rebuilt: ${(error as Error).message}`;
    }
    options.onLine?.(
      `${options.dryRun ? 'would publish' : 'publishing'} ${entry.postbackId} ${entry.trackingId} ${what} (received ${entry.receivedAt})`,
    );
  }
  if (options.dryRun) return { found: entries.length, published: 0 };
  const items: BatchItem[] = entries.map((entry) => ({ itemIdentifier: entry.postbackId, entry }));
  const report = await createPublishEntries({ publisher: options.publisher, sleep: options.sleep }).publish(items);
  return { found: entries.length, published: report.published, ...(report.failedFrom ? { failedAt: report.failedFrom } : {}) };
}

/**
 * Runs the command; resolves the exit code (0: done; 1: some event could not be published,
 * run it again from the time printed; 2: usage).
 */
export async function main(
  argv: readonly string[],
  io: { out: (line: string) => void; err: (line: string) => void } = { out: console.log, err: console.error },
): Promise<number> {
  let args: RepublishArgs | 'help';
  try {
    args = parseRepublishArgs(argv, process.env, new Date());
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`republish: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    io.out(USAGE);
    return 0;
  }
  const config = args.region ? { region: args.region } : {};
  const dynamodb = new DynamoDBClient(config);
  const eventbridge = new EventBridgeClient(config);
  try {
    const window = { since: args.since, until: args.until, ...(args.trackingId ? { trackingId: args.trackingId } : {}) };
    io.out(
      `${args.dryRun ? 'Dry run: nothing is published. ' : ''}Republishing the events of postbacks received from ${args.since.toISOString()} to ${args.until.toISOString()}${args.trackingId ? ` of ${args.trackingId}` : ''} (table ${args.tableName}, bus ${args.eventBusName})`,
    );
    const report = await republish({
      history: new DynamoDbHistory(dynamodb, args.tableName),
      publisher: new EventBridgePublisher({ client: eventbridge, eventBusName: args.eventBusName, source: args.eventSource }),
      window,
      dryRun: args.dryRun,
      onLine: io.out,
    });
    io.out(`${report.found} entr${report.found === 1 ? 'y' : 'ies'} found, ${report.published} event(s) published`);
    if (report.failedAt !== undefined) {
      io.err(`republish: PutEvents still failed from postback ${report.failedAt} on; run it again`);
      return 1;
    }
    return 0;
  } finally {
    dynamodb.destroy();
    eventbridge.destroy();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`republish: ${(error as Error)?.message ?? String(error)}`);
      process.exit(1);
    },
  );
}
