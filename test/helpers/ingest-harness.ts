import { type AttributeValue, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { fromItem } from '../../lambda/adapters/attribute-values';
import { DynamoDbStore } from '../../lambda/adapters/dynamodb-store';
import { rejectedFromItem } from '../../lambda/adapters/rejected-items';
import { createIngestHandler, defaultIngestDeps } from '../../lambda/ingest/ingest-handler-factory';
import type { PostbackStore } from '../../lambda/ports';
import { createPublisherHandler, defaultPublisherDeps } from '../../lambda/publisher/publisher-handler-factory';
import { ATTRIBUTE } from '../../lambda/table/attributes';
import { KEYS, keyAttributes, messageKey, rejectedPartitionKey, stateKey } from '../../lambda/table/keys';
import { acrossShards, shardOf } from '../../lambda/table/shards';
import { type EventBridgeLocal, startEventBridgeLocal } from '../../local/eventbridge-local';
import { type ApiGatewayEventOverrides, apiGatewayEvent } from './api-gateway-event';
import { createTestTable, type TestTable } from './ddb-table';
import { lambdaContext } from './lambda-context';
import { streamDrain } from './stream-drain';

export const TEST_SECRET = 'test-secret-0123456789';

export interface PostResult {
  readonly statusCode: number;
  readonly headers: Record<string, string | number | boolean>;
  readonly body: Record<string, unknown>;
}

export type IngestHandler = ReturnType<typeof createIngestHandler>;

export interface IngestHarness {
  readonly table: TestTable;
  readonly bus: EventBridgeLocal;
  readonly handler: IngestHandler;
  /** DynamoDB requests made by the handlers built here (counted at their clients, every attempt). */
  dynamoRequests(): number;
  /** A store like the handlers': stands for another invocation. */
  store(): DynamoDbStore;
  /** Builds another handler on the same table and bus, with other environment values and, optionally, a changed store. */
  handlerWith(env: Record<string, string | undefined>, wrapStore?: (store: PostbackStore) => PostbackStore): IngestHandler;
  /** POSTs a postback body (object or raw string) with the secret in the X-Postback-Token header, unless headers are given. */
  post(body: unknown, overrides?: ApiGatewayEventOverrides, handler?: IngestHandler): Promise<PostResult>;
  /** POSTs until the answer is not 503, as the provider's retry logic would. */
  postUntilDone(body: unknown, handler?: IngestHandler): Promise<PostResult>;
  state(trackingId: string): Promise<Record<string, unknown> | undefined>;
  history(trackingId: string): Promise<Record<string, unknown>[]>;
  /**
   * The events of a message on the local bus, once everything stored so far went through the
   * real publisher handler from the table's stream (see `stream-drain.ts`).
   */
  eventsFor(trackingId: string): Promise<{ detailType: string; detail: Record<string, unknown> }[]>;
  /** Every event on the local bus, once the stream is drained through the publisher. */
  publishedEvents(): Promise<EventBridgeLocal['events']>;
  /** Hands what is new in the table's stream to the publisher handler. */
  publishFromStream(): Promise<void>;
  /** Today's rejected records: of the shard that one request id writes to, or of every shard. */
  rejectedRecords(requestId?: string): Promise<Record<string, unknown>[]>;
  /** The raw items of a message in a sparse sharded index (the sweep's), read shard by shard. */
  indexEntriesFor(
    index: { readonly indexName: string; readonly shardAttribute: string },
    trackingId: string,
  ): Promise<Record<string, AttributeValue>[]>;
  close(): Promise<void>;
}

/**
 * The real ingest handler (production wiring from `defaultIngestDeps`) on a fresh table
 * of the global DynamoDB Local, and the real publisher handler (`defaultPublisherDeps`) fed
 * from the table's stream and publishing on a loopback EventBridge, reached only through
 * the standard `AWS_ENDPOINT_URL_*` variables.
 *
 * @example
 * const h = await startIngestHarness();
 * const res = await h.post(fixture('n101'));
 */
export async function startIngestHarness(extraEnv: Record<string, string | undefined> = {}): Promise<IngestHarness> {
  const table = await createTestTable('ingest');
  const bus = await startEventBridgeLocal();
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = bus.endpoint;
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const baseEnv = {
    ...process.env,
    TABLE_NAME: table.tableName,
    EVENT_BUS_NAME: 'test-bus',
    POSTBACK_SECRET: TEST_SECRET,
    RETRY_AFTER_SECONDS: '2',
    ...extraEnv,
  };
  let dynamoRequests = 0;
  const build = (env: Record<string, string | undefined>, wrapStore?: (store: PostbackStore) => PostbackStore) => {
    const defaults = defaultIngestDeps(env);
    // Every attempt passes the deserialize step once (it runs inside the SDK's retry loop).
    defaults.clients.dynamodb.middlewareStack.add(
      (next) => (args) => {
        dynamoRequests += 1;
        return next(args);
      },
      { step: 'deserialize', name: 'countRequests' },
    );
    const deps = wrapStore ? { ...defaults, store: wrapStore(defaults.store) } : defaults;
    return createIngestHandler(deps);
  };
  const handler = build(baseEnv);
  // The real publisher handler, with its retries inside an invocation cut short (no waiting):
  // the retry policy itself is tested on a fake clock in test/lambda/publisher/.
  const publisher = createPublisherHandler({ ...defaultPublisherDeps(baseEnv), maxAttempts: 2, sleep: async () => undefined });
  const stream = await streamDrain(table.client, table.tableName, publisher, 1);

  const post = async (body: unknown, overrides: ApiGatewayEventOverrides = {}, h: IngestHandler = handler): Promise<PostResult> => {
    const event = apiGatewayEvent({
      body: body as object,
      headers: { 'X-Postback-Token': TEST_SECRET, 'Content-Type': 'application/json' },
      ...overrides,
    });
    const result = (await h(event, lambdaContext())) as APIGatewayProxyResult;
    return { statusCode: result.statusCode, headers: (result.headers ?? {}) as PostResult['headers'], body: JSON.parse(result.body) };
  };

  return {
    table,
    bus,
    handler,
    dynamoRequests: () => dynamoRequests,
    store: () =>
      new DynamoDbStore({
        client: defaultIngestDeps(baseEnv).clients.dynamodb,
        tableName: table.tableName,
        historyRetentionDays: 1,
        rejectedRetentionDays: 1,
      }),
    handlerWith: (env, wrapStore) => build({ ...baseEnv, ...env }, wrapStore),
    post,
    async postUntilDone(body, h = handler) {
      for (let attempt = 0; attempt < 50; attempt++) {
        const result = await post(body, {}, h);
        if (result.statusCode !== 503) return result;
        await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 30));
      }
      throw new Error('still 503 after 50 attempts');
    },
    async state(trackingId) {
      const out = await table.client.send(
        new GetItemCommand({
          TableName: table.tableName,
          Key: keyAttributes(stateKey(trackingId)),
          ConsistentRead: true,
        }),
      );
      return out.Item ? fromItem(out.Item) : undefined;
    },
    async history(trackingId) {
      const out = await table.client.send(
        new QueryCommand({
          TableName: table.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :h)',
          ExpressionAttributeNames: { '#pk': ATTRIBUTE.partitionKey, '#sk': ATTRIBUTE.sortKey },
          ExpressionAttributeValues: { ':pk': { S: messageKey(trackingId) }, ':h': { S: KEYS.historyPrefix } },
          ConsistentRead: true,
        }),
      );
      return (out.Items ?? []).map(fromItem);
    },
    async indexEntriesFor(index, trackingId) {
      const pages = await acrossShards((shard) =>
        table.client.send(
          new QueryCommand({
            TableName: table.tableName,
            IndexName: index.indexName,
            KeyConditionExpression: '#s = :s',
            ExpressionAttributeNames: { '#s': index.shardAttribute },
            ExpressionAttributeValues: { ':s': { S: shard } },
          }),
        ),
      );
      return pages.flatMap((out) => (out.Items ?? []).filter((item) => item[ATTRIBUTE.partitionKey]?.S === messageKey(trackingId)));
    },
    async rejectedRecords(requestId?: string) {
      // Today's rejected records: the shard of one request id, or every shard.
      const day = new Date().toISOString().slice(0, 10);
      const readShard = (shard: string) =>
        table.client.send(
          new QueryCommand({
            TableName: table.tableName,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': ATTRIBUTE.partitionKey },
            ExpressionAttributeValues: { ':pk': { S: rejectedPartitionKey(day, shard) } },
            ConsistentRead: true,
          }),
        );
      const pages = requestId === undefined ? await acrossShards(readShard) : [await readShard(shardOf(requestId))];
      // As stored, with the Binary `bodyBytes` and the text the adapter reads (`body`, left out of a UTF-8 body's item).
      return pages.flatMap((out) =>
        (out.Items ?? []).map((item) => {
          const bytes = item[ATTRIBUTE.bodyBytes]?.B;
          const plain = fromItem(item);
          return bytes === undefined ? plain : { ...plain, bodyBytes: bytes, body: rejectedFromItem(plain, bytes).body };
        }),
      );
    },
    publishFromStream: () => stream.drain(),
    async publishedEvents() {
      await stream.drain();
      return bus.events;
    },
    async eventsFor(trackingId) {
      await stream.drain();
      return bus.events
        .map((e) => ({ detailType: e.detailType, detail: e.detail as Record<string, unknown> }))
        .filter((e) => e.detail.trackingId === trackingId);
    },
    async close() {
      stream.close();
      await bus.close();
      await table.drop();
    },
  };
}
