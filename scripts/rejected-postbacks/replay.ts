/**
 * Replay of rejected records: re-submits kept, refused postbacks through the ingest
 * function's own pipeline (the real handler: validation, one DynamoDB transaction; the
 * event of an accepted replay follows from the table's stream, like any postback's) and
 * records on each record what came of it. Plain code; the clock is injected.
 *
 * What is sent is what the sender sent: the kept bytes with the kept content type (charset
 * included), read by the handler's own body reading, so the answer is what a fresh send of
 * them would get today. A record kept before the bytes were kept has only its decoded text:
 * it is sent as that text in UTF-8, as before, and its line says so.
 *
 * Idempotent: a record whose replay was accepted (or found a duplicate) is skipped, and
 * the pipeline's own duplicate detection stands behind that (the same postback is never
 * published twice). A replay that is still refused does not create a new rejected record:
 * its outcome is written on the original one.
 *
 * The command line that runs it is `scripts/replay-rejected.ts` (`npm run replay-rejected`).
 * It builds the API Gateway event and the Lambda context with `local/api-gateway-event.ts`,
 * plain data shared with the local API, and imports nothing of the local HTTP server.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { interpretPostback } from '../../lambda/domain/postback';
import { validatePostback } from '../../lambda/domain/validate';
import { HttpError, ValidationFailedError } from '../../lambda/errors';
import { readPostbackBody } from '../../lambda/http/request';
import { createIngestHandler, type IngestDeps, MAX_POSTBACK_BODY_BYTES } from '../../lambda/ingest/ingest-handler-factory';
import type { PostbackStore, SecretSource } from '../../lambda/ports';
import type { ItemKey } from '../../lambda/table/keys';
import { buildProxyEvent, lambdaContext } from '../../local/api-gateway-event';

/** What a replay came to, as written on the record (attribute `replay`). */
export interface ReplayOutcome {
  /** `accepted`, `duplicate`, `refused` (still refused: see `statusCode`, `message`), `failed` (5xx: try again later) or `not_replayable`. */
  readonly result: 'accepted' | 'duplicate' | 'refused' | 'failed' | 'not_replayable';
  /** The status the pipeline answered (0 when it was not run). */
  readonly statusCode: number;
  readonly at: Date;
  readonly postbackId?: string;
  /** Why it is still refused, failed or not replayable. */
  readonly message?: string;
}

/** A kept rejected record, as the replay needs it. */
export interface RejectedRecord {
  readonly key: ItemKey;
  readonly requestId: string;
  readonly receivedAt: Date;
  readonly statusCode: number;
  readonly reason: string;
  readonly contentType?: string;
  readonly sourceIp?: string;
  readonly body: string;
  /** The body's bytes as the sender sent them; absent on a record kept before they were. */
  readonly bodyBytes?: Uint8Array;
  readonly truncated: boolean;
  /** The outcome of an earlier replay, if any. */
  readonly replay?: { readonly result: string };
}

/** The rejected records of the store (implemented by the DynamoDB rejected-records adapter). */
export interface RejectedRecords {
  /** Every record received in [since, until), oldest first. */
  listRejected(since: Date, until: Date): AsyncIterable<RejectedRecord>;
  markRejectedOutcome(key: ItemKey, outcome: ReplayOutcome): Promise<void>;
}

/** One line of the replay's report. */
export interface ReplayLine {
  readonly key: ItemKey;
  readonly requestId: string;
  readonly receivedAt: Date;
  /** What was done: `replayed` (see `outcome`), `skipped` (replayed successfully before), or, in a dry run, `would_accept` / `would_refuse`. */
  readonly action: 'replayed' | 'skipped' | 'would_accept' | 'would_refuse';
  readonly outcome?: ReplayOutcome;
  /** In a dry run: the postback id it would get, or why it would still be refused. */
  readonly detail?: string;
  /** Set when the record has no kept bytes (kept before they were): it was sent as its text in UTF-8. */
  readonly note?: string;
}

/** The note of a record replayed from its text. */
export const FROM_TEXT_NOTE = 'kept without its original bytes: sent as its decoded text in UTF-8';

const SUCCESS: ReadonlySet<string> = new Set(['accepted', 'duplicate']);

/** The proxy event the provider's request would have been, rebuilt from the record. */
function replayEvent(record: RejectedRecord, token: string): APIGatewayProxyEvent {
  const rawHeaders = ['Content-Type', record.contentType ?? '', 'X-Postback-Token', token, 'User-Agent', 'replay-rejected'];
  return buildProxyEvent({
    method: 'POST',
    url: '/postbacks',
    rawHeaders: record.contentType === undefined ? rawHeaders.slice(2) : rawHeaders,
    body: record.bodyBytes === undefined ? Buffer.from(record.body, 'utf8') : Buffer.from(record.bodyBytes),
    sourceIp: record.sourceIp ?? '127.0.0.1',
    resource: '/postbacks',
    pathParameters: null,
    stage: 'replay',
    requestId: `replay-${record.requestId}-${randomUUID().slice(0, 8)}`,
  });
}

/** The ingest pipeline as the replay runs it: one record in, the handler's answer out. */
export type ReplayPipeline = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * The ingest handler with the production store, for replays: authenticated
 * by a one-off token (the operator is authorized by AWS credentials, not by the shared
 * secret), and without keeping still-refused replays as new rejected records.
 *
 * @example
 * const { pipeline, token } = replayPipeline(defaultIngestDeps(env));
 */
export function replayPipeline(deps: IngestDeps): { pipeline: ReplayPipeline; token: string } {
  const token = randomUUID();
  const secrets: SecretSource = { secrets: async () => [token] };
  const store: PostbackStore = {
    save: (...args) => deps.store.save(...args),
    // The outcome of a refused replay goes on the original record instead.
    saveRejected: async () => undefined,
  };
  const handler = createIngestHandler({ ...deps, store, secrets });
  return { pipeline: async (event, context) => (await handler(event, context)) as APIGatewayProxyResult, token };
}

/** Why an answer refused: its error code, message and details, as one line (the same for the dry run's prediction). */
function refusalOf(body: Readonly<Record<string, unknown>>): string {
  return [body.error, body.message, body.details === undefined ? undefined : JSON.stringify(body.details)]
    .filter((part) => part !== undefined)
    .join(': ');
}

function outcomeOf(result: APIGatewayProxyResult, at: Date): ReplayOutcome {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(result.body) as Record<string, unknown>;
  } catch {
    // not JSON: keep the status only
  }
  const postbackId = typeof body.postbackId === 'string' ? body.postbackId : undefined;
  if (result.statusCode === 200 && (body.result === 'accepted' || body.result === 'duplicate')) {
    return { result: body.result, statusCode: 200, at, ...(postbackId ? { postbackId } : {}) };
  }
  return { result: result.statusCode >= 500 ? 'failed' : 'refused', statusCode: result.statusCode, at, message: refusalOf(body) };
}

/** What the pipeline would answer, without storing anything (the handler's own body reader and checks, JSON or XML). */
function preview(event: APIGatewayProxyEvent, at: Date): Pick<ReplayLine, 'action' | 'detail'> {
  try {
    const { json, format } = readPostbackBody(event, MAX_POSTBACK_BODY_BYTES);
    const result = validatePostback(json);
    if (!result.ok) throw new ValidationFailedError(result.details);
    return { action: 'would_accept', detail: `postbackId ${interpretPostback(result.postback, at, format, result.instant).postbackId}` };
  } catch (error) {
    // The body the handler's error responder answers with (see errorResponder in lambda/http/middlewares.ts).
    if (error instanceof HttpError) return { action: 'would_refuse', detail: refusalOf({ message: error.message, ...error.body() }) };
    throw error;
  }
}

export interface ReplayOptions {
  readonly records: RejectedRecords;
  readonly pipeline: ReplayPipeline;
  /** The token the pipeline accepts. */
  readonly token: string;
  readonly since: Date;
  readonly until: Date;
  /** Report what would happen; change nothing. */
  readonly dryRun?: boolean;
  readonly clock?: () => Date;
  /** Called for each record as it is done. */
  readonly onLine?: (line: ReplayLine) => void;
}

/**
 * Replays every rejected record received in [since, until) that has not been replayed
 * successfully yet, in order, and marks each with its outcome.
 *
 * @example
 * const { pipeline, token } = replayPipeline(defaultIngestDeps(env));
 * const lines = await replayRejected({ records, pipeline, token, since, until: new Date() });
 */
export async function replayRejected(options: ReplayOptions): Promise<ReplayLine[]> {
  const clock = options.clock ?? (() => new Date());
  const lines: ReplayLine[] = [];
  const done = (line: ReplayLine) => {
    lines.push(line);
    options.onLine?.(line);
  };
  for await (const record of options.records.listRejected(options.since, options.until)) {
    const which = { key: record.key, requestId: record.requestId, receivedAt: record.receivedAt };
    if (record.replay && SUCCESS.has(record.replay.result)) {
      done({ ...which, action: 'skipped', detail: `replayed before: ${record.replay.result}` });
      continue;
    }
    const base = { ...which, ...(record.bodyBytes === undefined ? { note: FROM_TEXT_NOTE } : {}) };
    const event = replayEvent(record, options.token);
    if (options.dryRun) {
      done({ ...base, ...(record.truncated ? { action: 'would_refuse', detail: 'the kept body is truncated' } : preview(event, clock())) });
      continue;
    }
    let outcome: ReplayOutcome;
    if (record.truncated) {
      outcome = { result: 'not_replayable', statusCode: 0, at: clock(), message: 'the kept body is truncated (over the size limit)' };
    } else {
      const result = await options.pipeline(event, lambdaContext('IngestFunction', event.requestContext.requestId));
      outcome = outcomeOf(result, clock());
    }
    await options.records.markRejectedOutcome(record.key, outcome);
    done({ ...base, action: 'replayed', outcome });
  }
  return lines;
}
