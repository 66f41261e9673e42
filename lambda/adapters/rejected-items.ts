import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { RejectedPostback } from '../ports';
import { ATTRIBUTE, REJECTED_KIND } from '../table/attributes';
import { rejectedKey } from '../table/keys';
import { toAttribute } from './attribute-values';

/**
 * The item of a refused but authenticated postback, kept until `expiresAt` (epoch seconds).
 * `details` is stored as JSON text.
 */
export function rejectedItem(rejected: RejectedPostback, expiresAt: number): Record<string, AttributeValue> {
  const key = rejectedKey(rejected.receivedAt, rejected.requestId);
  const plain: Record<string, unknown> = {
    [ATTRIBUTE.partitionKey]: key.pk,
    [ATTRIBUTE.sortKey]: key.sk,
    [ATTRIBUTE.kind]: REJECTED_KIND,
    [ATTRIBUTE.requestId]: rejected.requestId,
    [ATTRIBUTE.receivedAt]: rejected.receivedAt.toISOString(),
    [ATTRIBUTE.statusCode]: rejected.statusCode,
    [ATTRIBUTE.reason]: rejected.reason,
    [ATTRIBUTE.message]: rejected.message,
    [ATTRIBUTE.details]: rejected.details === undefined ? undefined : JSON.stringify(rejected.details),
    [ATTRIBUTE.contentType]: rejected.contentType,
    [ATTRIBUTE.sourceIp]: rejected.sourceIp,
    [ATTRIBUTE.body]: rejected.body,
    [ATTRIBUTE.truncated]: rejected.truncated,
    [ATTRIBUTE.expiresAt]: expiresAt,
  };
  const item = toAttribute(plain)?.M ?? {};
  if (rejected.bodyBytes !== undefined) {
    item[ATTRIBUTE.bodyBytes] = { B: rejected.bodyBytes };
    // The common case, a UTF-8 body: its text is its bytes read as UTF-8, so it is not stored
    // twice (a refusal costs the write units of one copy of the body); see rejectedFromItem.
    if (utf8Text(rejected.bodyBytes) === rejected.body) delete item[ATTRIBUTE.body];
  }
  return item;
}

const UTF8 = new TextDecoder('utf-8');

/** Bytes read as UTF-8, lossily: the text kept for a body whose `body` attribute was left out. */
function utf8Text(bytes: Uint8Array): string {
  return UTF8.decode(bytes);
}

/** A rejected record read back: the postback as {@link rejectedItem} stored it (`bodyBytes`: the item's Binary attribute), its TTL and its last replay. */
export function rejectedFromItem(
  plain: Readonly<Record<string, unknown>>,
  bodyBytes?: Uint8Array,
): RejectedPostback & {
  readonly expiresAt?: Date;
  readonly replay?: Readonly<Record<string, unknown>>;
} {
  const text = (name: string) => (typeof plain[name] === 'string' ? (plain[name] as string) : undefined);
  let details: unknown;
  try {
    details = text(ATTRIBUTE.details) === undefined ? undefined : JSON.parse(text(ATTRIBUTE.details) as string);
  } catch {
    details = text(ATTRIBUTE.details);
  }
  const expiresAt = plain[ATTRIBUTE.expiresAt];
  return {
    requestId: text(ATTRIBUTE.requestId) ?? '',
    receivedAt: new Date(text(ATTRIBUTE.receivedAt) ?? 0),
    statusCode: Number(plain[ATTRIBUTE.statusCode]),
    reason: text(ATTRIBUTE.reason) ?? '',
    message: text(ATTRIBUTE.message) ?? '',
    details,
    contentType: text(ATTRIBUTE.contentType),
    sourceIp: text(ATTRIBUTE.sourceIp),
    body: text(ATTRIBUTE.body) ?? (bodyBytes === undefined ? '' : utf8Text(bodyBytes)),
    ...(bodyBytes === undefined ? {} : { bodyBytes }),
    truncated: plain[ATTRIBUTE.truncated] === true,
    expiresAt: typeof expiresAt === 'number' ? new Date(expiresAt * 1000) : undefined,
    replay: plain[ATTRIBUTE.replay] as Readonly<Record<string, unknown>> | undefined,
  };
}
