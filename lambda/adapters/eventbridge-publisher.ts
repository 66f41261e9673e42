import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { PostbackDetail } from '../domain/event-detail';
import type { PostbackRecord } from '../domain/postback';
import type { CallOptions, EventPublisher } from '../ports';

export class PublishError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PublishError';
  }
}

export interface EventBridgePublisherOptions {
  /** An AWS SDK v3 EventBridge client (see `runtime/aws-clients.ts`). */
  readonly client: Pick<EventBridgeClient, 'send'>;
  readonly eventBusName: string;
  readonly source: string;
}

/**
 * Publishes one event per postback with PutEvents. A partial failure
 * (`FailedEntryCount` > 0) is a failure, not a success.
 *
 * @example
 * await new EventBridgePublisher({ client, eventBusName: 'bus', source: 'mms.postbacks' }).publish(record, detail);
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(private readonly options: EventBridgePublisherOptions) {}

  async publish(record: PostbackRecord, detail: PostbackDetail, options: CallOptions = {}): Promise<void> {
    const output = await this.options.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.options.eventBusName,
            Source: this.options.source,
            DetailType: record.detailType,
            Time: new Date(record.instant.epochMs),
            Detail: JSON.stringify(detail),
          },
        ],
      }),
      options,
    );
    if ((output.FailedEntryCount ?? 0) > 0 || output.Entries?.[0]?.EventId === undefined) {
      const entry = output.Entries?.[0];
      throw new PublishError(
        `PutEvents failed for the entry: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''} (request ${output.$metadata.requestId ?? 'unknown'})`.trim(),
      );
    }
  }
}
