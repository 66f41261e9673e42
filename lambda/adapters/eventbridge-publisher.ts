import type { PutEventsRequest, PutEventsResponse } from '@aws-sdk/client-eventbridge';
import type { PostbackDetail } from '../domain/event-detail';
import type { PostbackRecord } from '../domain/postback';
import type { EventPublisher } from '../ports';

export class PublishError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PublishError';
  }
}

/** The EventBridge API as the publisher uses it (see `AwsJsonClient`). */
export interface EventBridgeApi {
  send(operation: 'PutEvents', input: PutEventsRequest): Promise<PutEventsResponse>;
}

export interface EventBridgePublisherOptions {
  readonly client: EventBridgeApi;
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

  async publish(record: PostbackRecord, detail: PostbackDetail): Promise<void> {
    const output = await this.options.client.send('PutEvents', {
      Entries: [
        {
          EventBusName: this.options.eventBusName,
          Source: this.options.source,
          DetailType: record.detailType,
          // AWS JSON protocols carry timestamps as epoch seconds.
          Time: (record.instant.epochMs / 1000) as unknown as Date,
          Detail: JSON.stringify(detail),
        },
      ],
    });
    if ((output.FailedEntryCount ?? 0) > 0 || output.Entries?.[0]?.EventId === undefined) {
      const entry = output.Entries?.[0];
      throw new PublishError(`PutEvents failed for the entry: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim());
    }
  }
}
