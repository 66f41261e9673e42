import { type AttributeValue, type DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { StoredEntry } from '../ports';
import { ATTRIBUTE } from '../table/attributes';
import { KEYS, messageKey } from '../table/keys';
import { storedEntryOf } from './item-readers';

/** A window of receipt times, `[since, until)`, and optionally one message. */
export interface HistoryWindow {
  readonly since: Date;
  readonly until: Date;
  /** Only this message's entries (a Query of its partition); all messages otherwise (a Scan). */
  readonly trackingId?: string;
}

/**
 * Reads stored history entries by receipt time, for `npm run republish`. With a tracking-id,
 * one paginated Query of the message's partition (`H#` sort keys) filtered on `receivedAt`;
 * without, a paginated Scan of the table filtered on the `H#` sort key prefix and
 * `receivedAt` (the table has no index by receipt time: a Scan reads, and is billed for,
 * the whole table, whatever the window). `receivedAt` is stored as ISO 8601 UTC with
 * milliseconds, so the string comparison is the time comparison.
 *
 * @example
 * for await (const entry of new DynamoDbHistory(client, 'postbacks').entries({ since, until })) console.log(entry.postbackId);
 */
export class DynamoDbHistory {
  constructor(
    private readonly client: Pick<DynamoDBClient, 'send'>,
    private readonly tableName: string,
  ) {}

  async *entries(window: HistoryWindow): AsyncGenerator<StoredEntry> {
    const names = { '#sk': ATTRIBUTE.sortKey, '#received': ATTRIBUTE.receivedAt };
    const values: Record<string, AttributeValue> = {
      ':history': { S: KEYS.historyPrefix },
      ':since': { S: window.since.toISOString() },
      ':until': { S: window.until.toISOString() },
    };
    const inWindow = '#received >= :since AND #received < :until';
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page =
        window.trackingId === undefined
          ? await this.client.send(
              new ScanCommand({
                TableName: this.tableName,
                FilterExpression: `begins_with(#sk, :history) AND ${inWindow}`,
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: values,
                ExclusiveStartKey: startKey,
              }),
            )
          : await this.client.send(
              new QueryCommand({
                TableName: this.tableName,
                KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :history)',
                FilterExpression: inWindow,
                ExpressionAttributeNames: { ...names, '#pk': ATTRIBUTE.partitionKey },
                ExpressionAttributeValues: { ...values, ':pk': { S: messageKey(window.trackingId) } },
                ExclusiveStartKey: startKey,
              }),
            );
      for (const item of page.Items ?? []) yield storedEntryOf(item);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}
