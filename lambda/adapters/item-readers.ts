import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { WAITING_MESSAGE_FIELDS, type WaitingMessage } from '../domain/status-unknown';
import type { StoredEntry } from '../ports';
import { ATTRIBUTE } from '../table/attributes';

/** An attribute value as a stream record's image carries it (`aws-lambda`'s type) or as the SDK reads it. */
type ImageValue = { readonly S?: string; readonly BOOL?: boolean };

/**
 * The history entry of an item image (a stream record's `NewImage`, or an item read from
 * the table): what the publisher rebuilds the event from. Throws when the image is not a
 * complete history entry.
 *
 * @example
 * const entry = storedEntryOf(record.dynamodb.NewImage);
 */
export function storedEntryOf(image: Readonly<Record<string, ImageValue>> | undefined): StoredEntry {
  const text = (name: string): string => {
    const value = image?.[name]?.S;
    if (value === undefined) throw new TypeError(`the history entry has no ${name}`);
    return value;
  };
  const isLatest = image?.[ATTRIBUTE.isLatest]?.BOOL;
  if (isLatest === undefined) throw new TypeError(`the history entry has no ${ATTRIBUTE.isLatest}`);
  return {
    postbackId: text(ATTRIBUTE.postbackId),
    trackingId: text(ATTRIBUTE.trackingId),
    body: text(ATTRIBUTE.body),
    receivedAt: text(ATTRIBUTE.receivedAt),
    isLatest,
  };
}

/** The waiting message of a state item; `undefined` when it is not waiting any more (final: no due time). */
export function waitingMessageOf(state: Record<string, AttributeValue>): WaitingMessage | undefined {
  const due = state[ATTRIBUTE.statusDueAt]?.N;
  const trackingId = state[ATTRIBUTE.trackingId]?.S;
  if (due === undefined || trackingId === undefined) return undefined;
  const since = state[ATTRIBUTE.statusWaitStartedAt]?.N;
  const message: Record<string, unknown> = {
    trackingId,
    dueAt: new Date(Number(due)),
    waitStartedAt: new Date(Number(since ?? due)),
  };
  for (const name of WAITING_MESSAGE_FIELDS) {
    const value = state[name]?.S;
    if (value !== undefined) message[name] = value;
  }
  return message as unknown as WaitingMessage;
}

/** The state attributes {@link waitingMessageOf} reads. */
export const WAITING_STATE_ATTRIBUTES: readonly string[] = [
  ATTRIBUTE.trackingId,
  ...WAITING_MESSAGE_FIELDS,
  ATTRIBUTE.statusDueAt,
  ATTRIBUTE.statusWaitStartedAt,
];
