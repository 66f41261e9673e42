import type { PostbackDetail } from '../../lambda/domain/event-detail';
import type { CallOptions, EntryResult, EventBatchPublisher, OutgoingEvent } from '../../lambda/ports';
import { MAX_ENTRIES_PER_REQUEST, MAX_REQUEST_BYTES, putEventsEntrySize } from '../../lambda/put-events-limits';

/** One event as published: what EventBridge would receive for it. */
export interface PublishedEvent {
  readonly detailType: string;
  readonly detail: PostbackDetail;
}

/** Decides the fate of one entry of one request: `undefined` accepts it, a string is the `ErrorCode` it fails with. */
export type EntryFault = (event: OutgoingEvent, request: number) => string | undefined;

/**
 * An in-memory {@link EventBatchPublisher} for unit tests, with PutEvents' rules: it refuses
 * a request over 10 entries or 256 KB (as EventBridge does, with an error), sizes entries
 * as EventBridge counts them (`putEventsEntrySize`, `Source` `mms.postbacks`), records every
 * request and every accepted event, and fails entries or whole requests on demand.
 *
 * @example
 * const publisher = new InMemoryEventPublisher();
 * publisher.failEntries((event, request) => (request === 1 ? 'ThrottlingException' : undefined));
 * publisher.failRequests(1); // the next request throws as a whole
 */
export class InMemoryEventPublisher implements EventBatchPublisher {
  /** Every accepted event, in order. */
  readonly events: PublishedEvent[] = [];
  /** Every request made: the tracking-ids and postback ids of its entries, in order. */
  readonly requests: { readonly postbackIds: string[]; readonly trackingIds: string[]; readonly bytes: number }[] = [];
  private entryFault: EntryFault = () => undefined;
  private requestFailures = 0;

  constructor(private readonly source = 'mms.postbacks') {}

  entrySize(event: OutgoingEvent): number {
    return putEventsEntrySize({
      Time: new Date(event.record.instant.epochMs),
      Source: this.source,
      DetailType: event.record.detailType,
      Detail: JSON.stringify(event.detail),
    });
  }

  async publishBatch(events: readonly OutgoingEvent[], _options?: CallOptions): Promise<readonly EntryResult[]> {
    const bytes = events.reduce((sum, event) => sum + this.entrySize(event), 0);
    this.requests.push({
      postbackIds: events.map((event) => event.record.postbackId),
      trackingIds: events.map((event) => event.record.trackingId),
      bytes,
    });
    if (events.length > MAX_ENTRIES_PER_REQUEST || bytes > MAX_REQUEST_BYTES) {
      throw new Error(`PutEvents refused: ${events.length} entries, ${bytes} bytes`);
    }
    if (this.requestFailures > 0) {
      this.requestFailures -= 1;
      throw new Error('PutEvents failed (injected)');
    }
    const request = this.requests.length;
    return events.map((event): EntryResult => {
      const errorCode = this.entryFault(event, request);
      if (errorCode !== undefined) return { ok: false, errorCode, errorMessage: 'injected' };
      this.events.push({ detailType: event.record.detailType, detail: event.detail });
      return { ok: true };
    });
  }

  /** Fails the entries `fault` names (given each entry and the request's number, from 1). */
  failEntries(fault: EntryFault): void {
    this.entryFault = fault;
  }

  /** Makes the next `times` requests throw as a whole. */
  failRequests(times: number): void {
    this.requestFailures = times;
  }

  /** The events of one message, in the order published. */
  eventsFor(trackingId: string): PublishedEvent[] {
    return this.events.filter((event) => event.detail.trackingId === trackingId);
  }
}
