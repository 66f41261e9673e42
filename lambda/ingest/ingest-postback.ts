import type { PostbackDetail } from '../domain/event-detail';
import type { PostbackRecord } from '../domain/postback';
import type { ClaimResult, EventPublisher, PostbackStore } from '../ports';
import { callOptions } from '../runtime/deadline';
import { createPublication, type InvocationTime, type MarkPublishedRetryPolicy, type PublicationObserver, type Sleep } from './publication';

export interface IngestPostbackDeps {
  readonly store: Pick<PostbackStore, 'claim' | 'markPublished' | 'release'>;
  readonly publisher: EventPublisher;
  /** Told of publish failures and mark-published retries (see `publicationTelemetry`). */
  readonly observer: PublicationObserver;
  /** How the mark-published retries wait; tests pass one that only records the delays. @default realSleep */
  readonly sleep?: Sleep;
  /** @default MARK_PUBLISHED_RETRY */
  readonly retry?: MarkPublishedRetryPolicy;
}

/** A postback to ingest: validated and interpreted, with the body as received. */
export interface IngestInput {
  readonly record: PostbackRecord;
  /** The body as received (decoded text): stored, so that the relay can rebuild the event. */
  readonly rawBody: string;
  /** When the postback was received: the claim's time (its lease counts from it). */
  readonly receivedAt: Date;
}

/**
 * What became of a postback:
 * - `accepted`: claimed and its event published (`markedPublished` false when the entry
 *   could not be marked published: the event is out all the same);
 * - `duplicate`: accepted before, its event is out: nothing was written or published;
 * - `in_progress`: another invocation holds the postback's lease;
 * - `store_failed`: the claim failed, nothing was published;
 * - `publish_failed`: claimed but the event is not out (the lease was given up).
 */
export type IngestOutcome =
  | { readonly outcome: 'accepted'; readonly isLatest: boolean; readonly markedPublished: boolean }
  | Exclude<ClaimResult, { readonly outcome: 'claimed' }>
  | { readonly outcome: 'store_failed'; readonly error: unknown }
  | { readonly outcome: 'publish_failed'; readonly error: unknown };

/**
 * The ingest use case: claim the postback in the store (history entry under a lease, and
 * the latest state when the state rule allows), publish its event, mark it published. No
 * HTTP, no logs, no metrics: the handler translates the outcome.
 *
 * @example
 * const ingest = createIngestPostback({ store, publisher, observer: publicationTelemetry(logger, metrics) });
 * const outcome = await ingest({ record, rawBody: text, receivedAt }, context);
 * // { outcome: 'accepted', isLatest: true, markedPublished: true }
 */
export function createIngestPostback(deps: IngestPostbackDeps) {
  const { store } = deps;
  const publication = createPublication(deps);

  return async function ingestPostback(input: IngestInput, invocation: InvocationTime): Promise<IngestOutcome> {
    const { record, rawBody, receivedAt } = input;
    let claim: ClaimResult;
    try {
      claim = await store.claim(record, rawBody, receivedAt, callOptions(invocation));
    } catch (error) {
      return { outcome: 'store_failed', error };
    }
    if (claim.outcome !== 'claimed') return claim;

    const detail = { ...record.detail, isLatest: claim.isLatest } as PostbackDetail;
    let markedPublished: boolean;
    try {
      markedPublished = await publication.publishClaimed(record, detail, invocation);
    } catch (error) {
      return { outcome: 'publish_failed', error };
    }
    return { outcome: 'accepted', isLatest: claim.isLatest, markedPublished };
  };
}

/** The ingest use case, as {@link createIngestPostback} builds it. */
export type IngestPostback = ReturnType<typeof createIngestPostback>;
