/**
 * The `npm start` stack with fault proxies in front of DynamoDB Local and the local
 * EventBridge, for `npm run loadtest -- --faults`. Started by `loadtest/run.ts` as a child
 * process with an IPC channel; not meant to be run by hand.
 *
 * Why not `npm start` itself: `local/start.ts` always points the handlers at its own
 * endpoints (it overwrites `AWS_ENDPOINT_URL_*`), so the proxies could not be put in
 * between. This file starts the same pieces from `local/*.ts` in the same order and loads
 * the real, unmodified handler modules only after the environment points the SDK clients
 * at the proxies (exactly what `local/start.ts` does with its own endpoints).
 *
 * Environment: PORT, LOCAL_DIR, DYNAMODB_PORT, POSTBACK_SECRET, TABLE_NAME, EVENT_BUS_NAME, and
 * any configuration of the ingest function (LEASE_SECONDS, RETRY_AFTER_SECONDS, …).
 * IPC in: `{ type: 'start-faults' }`, `{ type: 'stop-faults' }`. IPC out: `{ type: 'ready', … }`,
 * `{ type: 'fault-report', … }`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type DynamoDbLocal, ensureTable, localDynamoDbClient, startDynamoDbLocal } from '../local/dynamodb-local';
import { type EventBridgeLocal, startEventBridgeLocal } from '../local/eventbridge-local';
import { type LocalApi, type ProxyHandler, startLocalApi } from '../local/http-server';
import {
  AMBIGUOUS_ROTATION,
  DEFAULT_ROTATION,
  type FaultLogEntry,
  type FaultProxy,
  type FaultProxyStats,
  runSchedule,
  startFaultProxy,
} from './fault-proxy';

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
}

const REPO_ROOT = path.resolve(__dirname, '..');

function send(message: ReadyMessage | FaultReportMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const rotation = args.includes('--lost-responses') ? AMBIGUOUS_ROTATION : DEFAULT_ROTATION;
  const port = Number(process.env.PORT ?? 0);
  const dynamoDbPort = process.env.DYNAMODB_PORT ? Number(process.env.DYNAMODB_PORT) : undefined;
  const localDir = path.resolve(process.env.LOCAL_DIR ?? path.join(REPO_ROOT, '.local'));
  const tableName = process.env.TABLE_NAME?.trim() || 'mms-postbacks-local';
  const eventBusName = process.env.EVENT_BUS_NAME?.trim() || 'mms-postbacks-local';
  const eventsFile = path.join(localDir, 'events.jsonl');
  mkdirSync(localDir, { recursive: true });

  let api: LocalApi | undefined;
  let ddb: DynamoDbLocal | undefined;
  let eb: EventBridgeLocal | undefined;
  let proxies: Record<'dynamodb' | 'eventbridge', FaultProxy> | undefined;
  let stopSchedule: (() => void) | undefined;
  const windows: FaultLogEntry[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      stopSchedule?.();
      await Promise.allSettled([api?.close(), eb?.close(), proxies?.dynamodb.close(), proxies?.eventbridge.close()]);
      await ddb?.stop();
    })());
  const onSignal = () => {
    void stopAll().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The parent is gone (crash, kill): never leave Java behind.
  process.on('disconnect', onSignal);

  let ingest: ProxyHandler | undefined;
  try {
    api = await startLocalApi({
      port,
      routes: [{ resource: '/postbacks', method: 'POST', functionName: 'IngestFunction', handler: () => ingest }],
      log: (line) => console.log(`http   ${line}`),
    });
    ddb = await startDynamoDbLocal({ port: dynamoDbPort });
    const client = localDynamoDbClient(ddb.endpoint);
    try {
      await ensureTable(client, tableName);
    } finally {
      client.destroy();
    }
    eb = await startEventBridgeLocal({ eventsFile, onEvent: (e) => console.log(`event  ${e.detailType}`) });
    proxies = {
      dynamodb: await startFaultProxy('dynamodb', ddb.endpoint),
      eventbridge: await startFaultProxy('eventbridge', eb.endpoint),
    };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: proxies.dynamodb.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: proxies.eventbridge.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      TABLE_NAME: tableName,
      EVENT_BUS_NAME: eventBusName,
      EVENT_SOURCE: process.env.EVENT_SOURCE?.trim() || 'mms.postbacks',
      POSTBACK_SECRET: process.env.POSTBACK_SECRET?.trim() || 'local-dev-secret',
      // As local/start.ts: EMF metric lines mean nothing without CloudWatch.
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    });
    for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'POSTBACK_SECRET_ARN', 'AWS_DEFAULT_REGION']) delete process.env[name];
    // Loaded only now, after the environment points the SDK clients at the proxies.
    const mod = require(path.join(REPO_ROOT, 'lambda', 'handlers', 'ingest')) as { handler: ProxyHandler };
    ingest = mod.handler;
  } catch (error) {
    await stopAll();
    throw error;
  }

  const live = proxies;
  process.on('message', (message: { type?: string; periodMs?: number; badMs?: number; offsetMs?: number }) => {
    if (message.type === 'start-faults' && !stopSchedule) {
      stopSchedule = runSchedule(
        live,
        rotation,
        { periodMs: message.periodMs ?? 6000, badMs: message.badMs ?? 2000, offsetMs: message.offsetMs ?? 2000 },
        windows,
      );
    } else if (message.type === 'stop-faults') {
      stopSchedule?.();
      send({ type: 'fault-report', windows, proxies: [live.dynamodb.stats, live.eventbridge.stats] });
    }
  });
  console.log(
    `Ready: API ${api.url}, DynamoDB Local ${ddb.endpoint} behind ${live.dynamodb.endpoint}, EventBridge behind ${live.eventbridge.endpoint}`,
  );
  send({ type: 'ready', apiUrl: api.url, dynamoDbEndpoint: ddb.endpoint, eventsFile, tableName });
}

main().catch((error: unknown) => {
  console.error(`fault stack: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
});
