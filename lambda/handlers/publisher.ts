import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createPublisherHandler, defaultPublisherDeps } from '../publisher/publisher-handler-factory';

/** Lambda entry of the stream publisher (event source mapping on the table's stream, history-entry inserts only). */
export const handler: (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse> = createPublisherHandler(
  defaultPublisherDeps(),
);
