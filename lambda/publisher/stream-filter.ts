import { ATTRIBUTE } from '../table/attributes';
import { KEYS } from '../table/keys';

/**
 * The filter pattern of the publisher's event source mapping on the table's stream: the
 * object whose `JSON.stringify` is the `Pattern` of one Lambda `FilterCriteria` filter.
 * It passes only inserts of history entries (sort key `H#…`): state updates, TTL removals
 * (`REMOVE`) and rejected records never invoke the publisher. The construct passes exactly
 * this object to `lambda.FilterCriteria.filter`, and the local run evaluates the same object.
 * Pure: no AWS SDK.
 *
 * Lambda's filter syntax for DynamoDB stream records (`eventName`, and the key attributes
 * under `dynamodb.Keys` in DynamoDB JSON):
 * https://docs.aws.amazon.com/lambda/latest/dg/with-ddb-filtering.html
 *
 * @example
 * new DynamoEventSource(table, { filters: [lambda.FilterCriteria.filter(PUBLISHER_STREAM_FILTER)] });
 */
export const PUBLISHER_STREAM_FILTER: {
  readonly eventName: readonly ['INSERT'];
  readonly dynamodb: { readonly Keys: Readonly<Record<string, { readonly S: readonly [{ readonly prefix: string }] }>> };
} = {
  eventName: ['INSERT'],
  dynamodb: { Keys: { [ATTRIBUTE.sortKey]: { S: [{ prefix: KEYS.historyPrefix }] } } },
};
