import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { DEFAULTS } from '../../lambda/config-contract';
import { PUBLISHER_STREAM_FILTER } from '../../lambda/publisher/stream-filter';
import { matchesAnyFilter } from '../../local/event-filter';
import { toLambdaRecord } from '../../local/stream-poller';
import { lambdaContext } from './lambda-context';

export type PublisherHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | undefined>;

/**
 * Reads a test table's stream on DynamoDB Local (the SDK's DynamoDB Streams client) and hands
 * what is new, at once and in stream order, to the publisher handler the way the event source
 * mapping does: the records the mapping's filter passes, in batches of the default batch size,
 * and, after a partial batch failure, the batch again from the reported record on (at most
 * `retries` times; records still failing stay for the next `drain()`, as the mapping keeps
 * retrying them). Deterministic, unlike the local run's poller: a test calls `drain()` and
 * then looks at what was published.
 *
 * @example
 * const stream = await streamDrain(table.client, table.tableName, handler);
 * await stream.drain();
 */
export async function streamDrain(client: DynamoDBClient, tableName: string, handler: PublisherHandler, retries = 3) {
  const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = described.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${tableName} has no stream`);
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  const streams = new DynamoDBStreamsClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const iterators = new Map<string, string | undefined>();
  /** Records read but not yet published: kept after a failed drain, delivered first by the next (the mapping retries them). */
  let backlog: DynamoDBRecord[] = [];
  /** What the handler answered, per invocation. */
  const invocations: { records: number; failedFrom?: string }[] = [];

  /** Invokes the handler with a batch (retrying from a reported record); the records still not published, or none. */
  const invoke = async (records: DynamoDBRecord[]): Promise<DynamoDBRecord[]> => {
    let pending = records;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const response = await handler({ Records: pending }, lambdaContext({ getRemainingTimeInMillis: () => 60_000 }));
      const failedFrom = response?.batchItemFailures?.[0]?.itemIdentifier;
      invocations.push({ records: pending.length, ...(failedFrom ? { failedFrom } : {}) });
      if (failedFrom === undefined) return [];
      pending = pending.slice(pending.findIndex((r) => r.dynamodb?.SequenceNumber === failedFrom));
      if (attempt >= retries) return pending;
    }
    return [];
  };

  return {
    invocations,
    /** Hands every record written so far to the handler. */
    async drain(): Promise<void> {
      const stream = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
      const records: DynamoDBRecord[] = backlog;
      for (const shard of stream.StreamDescription?.Shards ?? []) {
        const shardId = shard.ShardId as string;
        if (!iterators.has(shardId)) {
          const it = await streams.send(
            new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
          );
          iterators.set(shardId, it.ShardIterator);
        }
        for (let iterator = iterators.get(shardId); iterator !== undefined; ) {
          const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
          const got = (page.Records ?? []).map((r) => toLambdaRecord(r, streamArn, 'us-east-1'));
          records.push(...got.filter((r) => matchesAnyFilter([PUBLISHER_STREAM_FILTER], r)));
          iterators.set(shardId, page.NextShardIterator);
          if (got.length === 0) break;
          iterator = page.NextShardIterator;
        }
      }
      for (let i = 0; i < records.length; i += DEFAULTS.publisherBatchSize) {
        const left = await invoke(records.slice(i, i + DEFAULTS.publisherBatchSize));
        if (left.length > 0) {
          backlog = [...left, ...records.slice(i + DEFAULTS.publisherBatchSize)];
          throw new Error(`the publisher still reports ${left[0]?.dynamodb?.SequenceNumber} failed after ${retries} retries`);
        }
      }
      backlog = [];
    },
    close(): void {
      streams.destroy();
    },
  };
}
