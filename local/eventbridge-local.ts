/**
 * A loopback stand-in for Amazon EventBridge that speaks just enough of the AWS JSON 1.1
 * protocol for `@aws-sdk/client-eventbridge`'s `PutEventsCommand`. Point the unmodified
 * handler at it with `AWS_ENDPOINT_URL_EVENTBRIDGE=<endpoint>`.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { type LoopbackServer, listenOnLoopback, sendJson } from '../stand-ins/loopback-server';

export interface RecordedEvent {
  eventId: string;
  source: string;
  detailType: string;
  eventBusName: string;
  time?: string;
  resources?: string[];
  /** The parsed `Detail` JSON. */
  detail: unknown;
  receivedAt: string;
}

/**
 * - `http500`: the whole request fails with a 500 JSON error (`InternalException`);
 * - `partial`: 200 with `FailedEntryCount` = all entries, each `ErrorCode: 'InternalFailure'`;
 * - `drop`: the socket is destroyed without an answer.
 */
export type EventBridgeFault = 'http500' | 'partial' | 'drop';

export interface EventBridgeLocal {
  /** `http://127.0.0.1:<port>`: use as `AWS_ENDPOINT_URL_EVENTBRIDGE`. */
  endpoint: string;
  port: number;
  /** Events of successful entries, in arrival order. */
  readonly events: RecordedEvent[];
  /** HTTP requests received (including faulted and invalid ones). */
  readonly requestCount: number;
  /** The next `times` (default 1) PutEvents requests fail with `kind`; calls queue up. */
  injectFault(kind: EventBridgeFault, times?: number): void;
  clearFaults(): void;
  /** Forgets events, the request count and faults. */
  reset(): void;
  /** Closes the server and every open connection. */
  close(): Promise<void>;
}

export interface StartEventBridgeLocalOptions {
  /** @default a free port */
  port?: number;
  /** Called for every recorded event (e.g. to print it). */
  onEvent?: (e: RecordedEvent) => void;
  /** Append every recorded event, whole, as one JSON line to this file (directories are created). */
  eventsFile?: string;
}

/** Limits of the real service. */
export const MAX_ENTRIES = 10;
export const MAX_ENTRY_BYTES = 256 * 1024;
const MAX_REQUEST_BYTES = 1024 * 1024;

interface PutEventsEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Time?: unknown;
  Resources?: unknown;
}

type ResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

const sendAwsJson = (res: http.ServerResponse, status: number, body: unknown) =>
  sendJson(res, status, body, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });

function sendError(res: http.ServerResponse, status: number, type: string, message: string): void {
  sendAwsJson(res, status, { __type: type, message });
}

/** Entry size as EventBridge computes it ("Calculating PutEvents event entry size"). */
export function entrySize(entry: PutEventsEntry): number {
  let size = entry.Time !== undefined ? 14 : 0;
  for (const field of [entry.Source, entry.DetailType, entry.Detail]) {
    if (typeof field === 'string') size += Buffer.byteLength(field, 'utf8');
  }
  if (Array.isArray(entry.Resources)) {
    for (const r of entry.Resources) if (typeof r === 'string') size += Buffer.byteLength(r, 'utf8');
  }
  return size;
}

/** The SDK sends `Time` as epoch seconds (AWS JSON 1.1); other clients may send ISO strings. */
function parseTime(value: unknown): string | undefined | null {
  if (value === undefined || value === null) return undefined;
  const date = typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) return null;
  return date.toISOString();
}

function invalid(name: string, reason: string): ResultEntry {
  return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${name} is not valid. Reason: ${reason}` };
}

/**
 * Starts the stand-in on 127.0.0.1.
 *
 * @example
 * const eb = await startEventBridgeLocal({ eventsFile: '.local/events.jsonl' });
 * process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = eb.endpoint;
 * eb.injectFault('partial'); // the next PutEvents fails every entry
 * await eb.close();
 */
export async function startEventBridgeLocal(opts: StartEventBridgeLocalOptions = {}): Promise<EventBridgeLocal> {
  const events: RecordedEvent[] = [];
  const faults: EventBridgeFault[] = [];
  let requestCount = 0;
  if (opts.eventsFile) mkdirSync(path.dirname(path.resolve(opts.eventsFile)), { recursive: true });

  const record = (event: RecordedEvent) => {
    events.push(event);
    if (opts.eventsFile) appendFileSync(opts.eventsFile, `${JSON.stringify(event)}\n`);
    opts.onEvent?.(event);
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST') {
      sendError(res, 405, 'UnknownOperationException', `Method ${req.method} is not supported`);
      return;
    }
    if (target !== 'AWSEvents.PutEvents') {
      sendError(
        res,
        400,
        'UnknownOperationException',
        target ? `Operation ${target} is not supported by the local EventBridge` : 'Missing x-amz-target header',
      );
      return;
    }
    const fault = faults.shift();
    if (fault === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault === 'http500') {
      sendError(res, 500, 'InternalException', 'Injected fault: internal error');
      return;
    }
    let input: { Entries?: unknown };
    try {
      input = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      sendError(res, 400, 'SerializationException', 'Request body is not valid JSON');
      return;
    }
    const entries = input?.Entries;
    if (!Array.isArray(entries) || entries.length === 0) {
      sendError(
        res,
        400,
        'ValidationException',
        "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
      return;
    }
    if (entries.length > MAX_ENTRIES) {
      sendError(
        res,
        400,
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`,
      );
      return;
    }
    const total = (entries as PutEventsEntry[]).reduce((sum, e) => sum + entrySize(e ?? {}), 0);
    if (total > MAX_ENTRY_BYTES) {
      sendError(res, 400, 'ValidationException', 'Total size of the entries in the request is over the limit.');
      return;
    }
    const receivedAt = new Date().toISOString();
    const results: ResultEntry[] = [];
    const accepted: RecordedEvent[] = [];
    for (const raw of entries as PutEventsEntry[]) {
      const entry: PutEventsEntry = raw && typeof raw === 'object' ? raw : {};
      if (fault === 'partial') {
        results.push({ ErrorCode: 'InternalFailure', ErrorMessage: 'Injected fault: internal failure' });
        continue;
      }
      if (typeof entry.Source !== 'string' || entry.Source === '') {
        results.push(invalid('Source', 'Source is a required argument.'));
        continue;
      }
      if (typeof entry.DetailType !== 'string' || entry.DetailType === '') {
        results.push(invalid('DetailType', 'DetailType is a required argument.'));
        continue;
      }
      if (typeof entry.Detail !== 'string' || entry.Detail === '') {
        results.push(invalid('Detail', 'Detail is a required argument.'));
        continue;
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        detail = undefined;
      }
      if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
        results.push({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
        continue;
      }
      const time = parseTime(entry.Time);
      if (time === null) {
        results.push(invalid('Time', 'Time is not a valid timestamp.'));
        continue;
      }
      const eventId = randomUUID();
      const event: RecordedEvent = {
        eventId,
        source: entry.Source,
        detailType: entry.DetailType,
        eventBusName: typeof entry.EventBusName === 'string' && entry.EventBusName ? entry.EventBusName : 'default',
        ...(time ? { time } : {}),
        ...(Array.isArray(entry.Resources) ? { resources: entry.Resources.filter((r): r is string => typeof r === 'string') } : {}),
        detail,
        receivedAt,
      };
      accepted.push(event);
      results.push({ EventId: eventId });
    }
    for (const event of accepted) record(event);
    sendAwsJson(res, 200, { Entries: results, FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length });
  };

  const server = http.createServer((req, res) => {
    requestCount++;
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        sendError(res, 413, 'ValidationException', 'Request is too large');
        return;
      }
      try {
        handle(req, res, Buffer.concat(chunks));
      } catch (error) {
        if (!res.headersSent) sendError(res, 500, 'InternalException', (error as Error).message);
      }
    });
  });
  let listening: LoopbackServer;
  try {
    listening = await listenOnLoopback(server, { port: opts.port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'EADDRINUSE'
        ? `Port ${opts.port} (local EventBridge) is already in use: stop whatever uses it or choose another port`
        : `Local EventBridge could not listen: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const { endpoint, port } = listening;

  return {
    endpoint,
    port,
    get events() {
      return events;
    },
    get requestCount() {
      return requestCount;
    },
    injectFault(kind, times = 1) {
      for (let i = 0; i < times; i++) faults.push(kind);
    },
    clearFaults() {
      faults.length = 0;
    },
    reset() {
      events.length = 0;
      faults.length = 0;
      requestCount = 0;
    },
    close: listening.close,
  };
}
