import type { PostbackDetail } from '../../lambda/domain/event-detail';
import type { PostbackRecord } from '../../lambda/domain/postback';
import type { CallOptions, EventPublisher } from '../../lambda/ports';

/** One event as published: what EventBridge would receive for it. */
export interface PublishedEvent {
  readonly detailType: string;
  readonly detail: PostbackDetail;
}

/**
 * An in-memory {@link EventPublisher} for unit tests: records every event it accepts, and
 * fails the next calls on request (a PutEvents failure, whole or partial, as the real
 * publisher reports it: by throwing).
 *
 * @example
 * const publisher = new InMemoryEventPublisher();
 * publisher.failNext(1);
 * await publisher.publish(record, detail); // throws
 * await publisher.publish(record, detail); // recorded in publisher.events
 */
export class InMemoryEventPublisher implements EventPublisher {
  readonly events: PublishedEvent[] = [];
  private failures = 0;

  async publish(record: PostbackRecord, detail: PostbackDetail, _options?: CallOptions): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('PutEvents failed (injected)');
    }
    this.events.push({ detailType: record.detailType, detail });
  }

  /** Makes the next `times` calls throw. */
  failNext(times: number): void {
    this.failures = times;
  }

  /** The events of one message, in the order published. */
  eventsFor(trackingId: string): PublishedEvent[] {
    return this.events.filter((event) => event.detail.trackingId === trackingId);
  }
}
