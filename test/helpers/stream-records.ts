import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { PostbackRecord } from '../../lambda/domain/postback';
import { ATTRIBUTE } from '../../lambda/table/attributes';
import { historySortKey, messageKey } from '../../lambda/table/keys';

/** A history entry to put in a stream record: the record it stores, the body as received and its `isLatest`. */
export interface StreamEntry {
  readonly record: PostbackRecord;
  readonly rawBody: string;
  readonly isLatest: boolean;
}

/**
 * The stream record of a history-entry insert, as DynamoDB Streams delivers it to Lambda
 * (view type `NEW_IMAGE`), with the attributes the DynamoDB store writes; `sequenceNumber`
 * is the record's identifier in a partial batch response.
 *
 * @example
 * const record = historyInsert({ record, rawBody: JSON.stringify(body), isLatest: true }, '100');
 */
export function historyInsert(entry: StreamEntry, sequenceNumber: string): DynamoDBRecord {
  const keys = {
    [ATTRIBUTE.partitionKey]: { S: messageKey(entry.record.trackingId) },
    [ATTRIBUTE.sortKey]: { S: historySortKey(entry.record) },
  };
  return {
    eventID: `event-${sequenceNumber}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:123456789012:table/postbacks/stream/2026-04-24T00:00:00.000',
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.parse(entry.record.receivedAt) / 1000),
      Keys: keys,
      NewImage: {
        ...keys,
        [ATTRIBUTE.postbackId]: { S: entry.record.postbackId },
        [ATTRIBUTE.trackingId]: { S: entry.record.trackingId },
        [ATTRIBUTE.code]: { S: entry.record.code },
        [ATTRIBUTE.detailType]: { S: entry.record.detailType },
        [ATTRIBUTE.receivedAt]: { S: entry.record.receivedAt },
        [ATTRIBUTE.isLatest]: { BOOL: entry.isLatest },
        [ATTRIBUTE.body]: { S: entry.rawBody },
      },
      SequenceNumber: sequenceNumber,
      SizeBytes: 512,
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

/**
 * A stream event of history-entry inserts, sequence numbers `100`, `101`, … in order.
 *
 * @example
 * await handler(streamEvent(entries), lambdaContext());
 */
export function streamEvent(entries: readonly StreamEntry[], firstSequenceNumber = 100): DynamoDBStreamEvent {
  return { Records: entries.map((entry, i) => historyInsert(entry, String(firstSequenceNumber + i))) };
}
