import { STATUS_UNKNOWN } from './catalog';
import type { StatusUnknownDetail } from './event-detail';
import { statusUnknownPostbackId } from './identity';
import type { PostbackRecord } from './postback';
import { precedenceOf } from './state-rule';
import { toInstant } from './timestamp';

/** What the sweep knows of a message still waiting for a final postback (read from its latest state). */
export interface WaitingMessage {
  readonly trackingId: string;
  readonly origin?: string;
  readonly to?: string;
  readonly from?: string;
  readonly clientReference?: string;
  readonly mmsId?: string;
  readonly sentAs?: 'MMS' | 'SMS';
  /** When the wait began: the receipt of the first accepted postback. */
  readonly waitStartedAt: Date;
  /** When the wait ends: `waitStartedAt` + statusUnknownAfter. The synthetic postback's timestamp. */
  readonly dueAt: Date;
}

/** The message fields the synthetic Detail carries over from the state (fields of the message, not of one postback). */
export const WAITING_MESSAGE_FIELDS = ['origin', 'to', 'from', 'clientReference', 'mmsId', 'sentAs'] as const;

/**
 * The synthetic `MMS Status Unknown` postback of a message whose wait is over. Deterministic
 * (same message, same postbackId, timestamp and history key), so that a second or concurrent
 * sweep writes nothing twice. Its timestamp is the end of the wait; `receivedAt` is now.
 *
 * @example
 * const record = statusUnknownRecord({ trackingId: 'abc', waitStartedAt, dueAt }, new Date());
 * record.detailType; // 'MMS Status Unknown'
 */
export function statusUnknownRecord(message: WaitingMessage, now: Date): PostbackRecord {
  const timestamp = message.dueAt.toISOString();
  const instant = toInstant(timestamp);
  if (!instant) throw new TypeError(`not a valid due time: ${timestamp}`);
  const postbackId = statusUnknownPostbackId(message.trackingId);
  const carried: Record<string, string> = {};
  for (const name of WAITING_MESSAGE_FIELDS) {
    const value = message[name];
    if (value !== undefined) carried[name] = value;
  }
  const detail: Omit<StatusUnknownDetail, 'isLatest'> = {
    postbackId,
    trackingId: message.trackingId,
    origin: 'MMS_MT',
    ...carried,
    code: STATUS_UNKNOWN.code,
    status: STATUS_UNKNOWN.status,
    timestamp,
    lifecycle: STATUS_UNKNOWN.lifecycle,
    outcome: STATUS_UNKNOWN.outcome,
    final: STATUS_UNKNOWN.final,
    receivedAt: now.toISOString(),
    synthetic: true,
    waitStartedAt: message.waitStartedAt.toISOString(),
  };
  return {
    postbackId,
    trackingId: message.trackingId,
    code: STATUS_UNKNOWN.code,
    catalogEntry: STATUS_UNKNOWN,
    detailType: STATUS_UNKNOWN.detailType,
    instant,
    lifecycle: STATUS_UNKNOWN.lifecycle,
    outcome: STATUS_UNKNOWN.outcome,
    final: STATUS_UNKNOWN.final,
    receivedAt: detail.receivedAt,
    detail,
    statusMismatch: false,
    farFuture: false,
    precedence: precedenceOf({ rank: STATUS_UNKNOWN.rank, instantKey: instant.key, outcome: STATUS_UNKNOWN.outcome, postbackId }),
  };
}

/**
 * The stored body of a synthetic postback (it has no body as received): the waiting message
 * it was made from, as JSON. {@link waitingMessageFromBody} reads it back, so that the relay
 * rebuilds the same record with {@link statusUnknownRecord}.
 *
 * @example
 * statusUnknownBody(record); // '{"trackingId":"abc","waitStartedAt":"…","dueAt":"…"}'
 */
export function statusUnknownBody(record: PostbackRecord): string {
  const detail = record.detail as Partial<StatusUnknownDetail>;
  if (detail.synthetic !== true || detail.waitStartedAt === undefined) {
    throw new TypeError(`not a status-unknown postback: ${record.postbackId}`);
  }
  const body: Record<string, string> = { trackingId: record.trackingId };
  for (const name of WAITING_MESSAGE_FIELDS) {
    const value = detail[name];
    if (value !== undefined) body[name] = value;
  }
  return JSON.stringify({ ...body, waitStartedAt: detail.waitStartedAt, dueAt: detail.timestamp });
}

/**
 * The waiting message of a synthetic postback's stored body ({@link statusUnknownBody}).
 * Throws a `TypeError` naming what is missing when the text is not such a body.
 */
export function waitingMessageFromBody(text: string): WaitingMessage {
  const body = JSON.parse(text) as Record<string, unknown>;
  const date = (name: string): Date => {
    const value = body[name];
    const parsed = typeof value === 'string' ? new Date(value) : undefined;
    if (parsed === undefined || Number.isNaN(parsed.getTime())) throw new TypeError(`the status-unknown body has no valid ${name}`);
    return parsed;
  };
  if (typeof body.trackingId !== 'string') throw new TypeError('the status-unknown body has no trackingId');
  const message: Record<string, unknown> = { trackingId: body.trackingId, waitStartedAt: date('waitStartedAt'), dueAt: date('dueAt') };
  for (const name of WAITING_MESSAGE_FIELDS) if (typeof body[name] === 'string') message[name] = body[name];
  return message as unknown as WaitingMessage;
}
