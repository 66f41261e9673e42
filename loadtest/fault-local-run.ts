/**
 * The `npm start` local run with fault proxies in front of DynamoDB Local and the local
 * EventBridge, for `npm run loadtest -- --faults`. Started by `loadtest/run.ts` as a child
 * process with an IPC channel; not meant to be run by hand.
 *
 * It runs the same `LocalRun` as `npm start` (`local/local-run.ts`), with fault proxies
 * interposed between the real, unmodified handlers and the local endpoints.
 *
 * The stream poller (the publisher's event source mapping) reads DynamoDB Local directly, as
 * Lambda's pollers are AWS's side: a DynamoDB fault hits the handlers, an EventBridge fault
 * the publisher. The fault report carries what the mapping re-delivered.
 *
 * Environment: PORT, LOCAL_DIR, DYNAMODB_PORT, POSTBACK_SECRET, TABLE_NAME, EVENT_BUS_NAME, and
 * any configuration of the ingest function (RETRY_AFTER_SECONDS, …).
 * IPC in: `{ type: 'start-faults', periodMs, badMs, offsetMs, services }`, `{ type: 'stop-faults' }`. IPC out: `{ type: 'ready', … }`,
 * `{ type: 'fault-report', … }`.
 */
import { LocalRun, localRunSettings } from '../local/local-run';
import { type FaultProxy, type FaultProxyStats, startFaultProxy } from '../stand-ins/fault-proxy';
import { AMBIGUOUS_ROTATION, DEFAULT_ROTATION, type FaultLogEntry, runSchedule } from './fault-schedule';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface ReadyMessage {
  readonly type: 'ready';
  readonly apiUrl: string;
  readonly dynamoDbEndpoint: string;
  readonly eventsFile: string;
  readonly tableName: string;
}

export interface FaultReportMessage {
  readonly type: 'fault-report';
  readonly windows: readonly FaultLogEntry[];
  readonly proxies: readonly FaultProxyStats[];
  /** The publisher's event source mapping: invocations, re-deliveries (by postbackId), records given up. */
  readonly stream: {
    readonly invocations: number;
    readonly recordsDelivered: number;
    readonly recordsRedelivered: number;
    readonly recordsDiscarded: number;
    readonly redeliveredPostbackIds: Readonly<Record<string, number>>;
  };
}

function send(message: ReadyMessage | FaultReportMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const rotation = args.includes('--lost-responses') ? AMBIGUOUS_ROTATION : DEFAULT_ROTATION;
  let proxies: Record<'dynamodb' | 'eventbridge', FaultProxy> | undefined;
  let stopSchedule: (() => void) | undefined;
  const windows: FaultLogEntry[] = [];
  const settings = localRunSettings(process.env, 0);
  const { tableName } = settings;
  const localRun = new LocalRun({
    ...settings,
    onEvent: (e) => console.log(`event  ${e.detailType}`),
    onPublishFailure: (batch) => console.error(`PUBLISH FAILED: ${batch.batchSize} record(s) given up (${batch.reason})`),
    log: (line) => console.log(`http   ${line}`),
    interpose: async (endpoints) => {
      const dynamodb = await startFaultProxy('dynamodb', endpoints.dynamodb);
      const eventbridge = await startFaultProxy('eventbridge', endpoints.eventbridge);
      proxies = { dynamodb, eventbridge };
      return {
        dynamodb: dynamodb.endpoint,
        eventbridge: eventbridge.endpoint,
        close: async () => {
          stopSchedule?.();
          await Promise.allSettled([dynamodb.close(), eventbridge.close()]);
        },
      };
    },
  });
  const onSignal = () => {
    void localRun.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The parent is gone (crash, kill): never leave Java behind.
  process.on('disconnect', onSignal);

  if (!(await localRun.start()) || !proxies || !localRun.api || !localRun.ddb) return;
  const { api, ddb } = localRun;
  const eventsFile = localRun.eventsFile;
  const live = proxies;
  process.on('message', (message: { type?: string; periodMs?: number; badMs?: number; offsetMs?: number; services?: string[] }) => {
    if (message.type === 'start-faults' && !stopSchedule) {
      const services = message.services ?? ['dynamodb', 'eventbridge'];
      stopSchedule = runSchedule(
        live,
        rotation.filter((window) => services.includes(window.service)),
        { periodMs: message.periodMs ?? 6000, badMs: message.badMs ?? 2000, offsetMs: message.offsetMs ?? 2000 },
        windows,
      );
    } else if (message.type === 'stop-faults') {
      stopSchedule?.();
      const stats = localRun.poller?.stats;
      send({
        type: 'fault-report',
        windows,
        proxies: [live.dynamodb.stats, live.eventbridge.stats],
        stream: {
          invocations: stats?.invocations ?? 0,
          recordsDelivered: stats?.recordsDelivered ?? 0,
          recordsRedelivered: stats?.recordsRedelivered ?? 0,
          recordsDiscarded: stats?.recordsDiscarded ?? 0,
          redeliveredPostbackIds: Object.fromEntries(stats?.redeliveredPostbackIds ?? []),
        },
      });
    }
  });
  console.log(
    `Ready: API ${api.url}, DynamoDB Local ${ddb.endpoint} behind ${live.dynamodb.endpoint}, EventBridge behind ${live.eventbridge.endpoint}`,
  );
  send({ type: 'ready', apiUrl: api.url, dynamoDbEndpoint: ddb.endpoint, eventsFile, tableName });
}

main().catch((error: unknown) => {
  console.error(`fault local run: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
});
