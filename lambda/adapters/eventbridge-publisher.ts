import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { untilDeadline } from '../platform/deadline';
import type { CallOptions, EntryResult, EventBatchPublisher, OutgoingEvent } from '../ports';
import { putEventsEntrySize } from '../put-events-limits';

type Entry = PutEventsRequestEntry & { readonly Source: string; readonly DetailType: string; readonly Time: Date };

export interface EventBridgePublisherOptions {
  /** An AWS SDK v3 EventBridge client (see `platform/aws-clients.ts`). */
  readonly client: Pick<EventBridgeClient, 'send'>;
  readonly eventBusName: string;
  readonly source: string;
}

/**
 * Publishes events with PutEvents, several per request: one entry per event (`Source`, the
 * catalog's `DetailType`, `Time` = the postback's timestamp, the Detail as JSON), one result
 * per entry. An entry without an `EventId` failed (`ErrorCode`, `ErrorMessage`): PutEvents
 * answers 200 with `FailedEntryCount` > 0 for a partial failure
 * (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html). The
 * caller keeps a request within the limits (`put-events-limits.ts`).
 *
 * @example
 * const results = await new EventBridgePublisher({ client, eventBusName: 'bus', source: 'mms.postbacks' }).publishBatch(events);
 */
export class EventBridgePublisher implements EventBatchPublisher {
  /**
   * The entry of each event, built once: the use case sizes an event (`entrySize`) and then
   * sends it, again on every retry, and the Detail's `JSON.stringify` is the costly part.
   * Keyed by the event object, and let go with it.
   */
  private readonly entries = new WeakMap<OutgoingEvent, Entry>();

  constructor(private readonly options: EventBridgePublisherOptions) {}

  entrySize(event: OutgoingEvent): number {
    return putEventsEntrySize(this.entry(event));
  }

  async publishBatch(events: readonly OutgoingEvent[], options: CallOptions = {}): Promise<readonly EntryResult[]> {
    if (events.length === 0) return [];
    // No per-call options (the SDK's cached middleware stack); past the deadline the call is abandoned.
    const output = await untilDeadline(
      this.options.client.send(new PutEventsCommand({ Entries: events.map((event) => this.entry(event)) })),
      options,
    );
    return events.map((_, index): EntryResult => {
      const entry = output.Entries?.[index];
      if (entry?.EventId !== undefined && entry.ErrorCode === undefined) return { ok: true };
      return {
        ok: false,
        errorCode: entry?.ErrorCode ?? 'NoResult',
        errorMessage: entry?.ErrorMessage ?? `no result for the entry (request ${output.$metadata.requestId ?? 'unknown'})`,
      };
    });
  }

  private entry(event: OutgoingEvent): Entry {
    let entry = this.entries.get(event);
    if (entry === undefined) {
      entry = {
        EventBusName: this.options.eventBusName,
        Source: this.options.source,
        DetailType: event.record.detailType,
        Time: new Date(event.record.instant.epochMs),
        Detail: JSON.stringify(event.detail),
      };
      this.entries.set(event, entry);
    }
    return entry;
  }
}
