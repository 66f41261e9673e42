import type { PostbackRecord } from '../domain/postback';
import { callOptions } from '../platform/deadline';
import type { PostbackStore, SaveResult } from '../ports';

export interface IngestPostbackDeps {
  readonly store: Pick<PostbackStore, 'save'>;
}

/** A postback to ingest: validated and interpreted, with the body as received. */
export interface IngestInput {
  readonly record: PostbackRecord;
  /** The body as received (decoded text): stored, so that the publisher can rebuild the event from the stream. */
  readonly rawBody: string;
  /** When the postback was received. */
  readonly receivedAt: Date;
}

/** The time an invocation has left (a Lambda context). */
export interface InvocationTime {
  getRemainingTimeInMillis(): number;
}

/**
 * What became of a postback:
 * - `accepted`: stored (history entry, and the latest state when the rule allowed); its
 *   event follows from the table's stream;
 * - `duplicate`: stored before: nothing was written;
 * - `conflict`: a concurrent write of the same message (a copy of this postback, most
 *   likely) got in the way: nothing was written, the sender retries;
 * - `store_failed`: DynamoDB failed.
 */
export type IngestOutcome =
  | { readonly outcome: 'accepted'; readonly isLatest: boolean }
  | Exclude<SaveResult, { readonly outcome: 'stored' }>
  | { readonly outcome: 'store_failed'; readonly error: unknown };

/**
 * The ingest use case: save the postback in one DynamoDB transaction (the history entry,
 * conditional on its absence, and the latest state when the state rule allows). No
 * EventBridge call: the publisher function publishes the event from the table's stream.
 * No HTTP, no logs, no metrics: the handler translates the outcome.
 *
 * @example
 * const ingest = createIngestPostback({ store });
 * const outcome = await ingest({ record, rawBody: text, receivedAt }, context);
 * // { outcome: 'accepted', isLatest: true }
 */
export function createIngestPostback(deps: IngestPostbackDeps) {
  const { store } = deps;

  return async function ingestPostback(input: IngestInput, invocation: InvocationTime): Promise<IngestOutcome> {
    const { record, rawBody, receivedAt } = input;
    let saved: SaveResult;
    try {
      saved = await store.save(record, rawBody, receivedAt, callOptions(invocation));
    } catch (error) {
      return { outcome: 'store_failed', error };
    }
    return saved.outcome === 'stored' ? { outcome: 'accepted', isLatest: saved.isLatest } : saved;
  };
}

/** The ingest use case, as {@link createIngestPostback} builds it. */
export type IngestPostback = ReturnType<typeof createIngestPostback>;
