/**
 * The publisher handler on synthesized stream records (as DynamoDB Streams delivers
 * history-entry inserts to Lambda) and the in-memory EventBridge publisher: the partial
 * batch response Lambda reads with `ReportBatchItemFailures`, and the metrics.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { createPublisherHandler } from '../../../lambda/publisher/publisher-handler-factory';
import { InMemoryEventPublisher } from '../../fakes/in-memory-event-publisher';
import { captureOutput, emfRecords } from '../../helpers/captured-output';
import { fixture, interpreted } from '../../helpers/fixtures';
import { lambdaContext } from '../../helpers/lambda-context';
import { historyInsert, type StreamEntry, streamEvent } from '../../helpers/stream-records';

const receivedAt = new Date('2026-04-24T18:35:00Z');

function entries(count: number): StreamEntry[] {
  return Array.from({ length: count }, () => {
    const body = { ...fixture('n102'), 'tracking-id': `t-${randomUUID()}` };
    return { record: interpreted(body, receivedAt), rawBody: JSON.stringify(body), isLatest: false };
  });
}

function setUp() {
  const publisher = new InMemoryEventPublisher();
  const handler = createPublisherHandler({
    publisher,
    logger: new Logger({ serviceName: 'mms-postbacks', logLevel: 'INFO' }),
    metrics: new Metrics({ namespace: 'MmsPostbacks', serviceName: 'mms-postbacks' }),
    sleep: async () => undefined,
    maxAttempts: 3,
  });
  const invoke = async (event: Parameters<typeof handler>[0]) =>
    (await handler(event, lambdaContext({ getRemainingTimeInMillis: () => 60_000 }))) as DynamoDBBatchResponse;
  return { publisher, invoke };
}

let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => output.restore());

describe('the publisher handler', () => {
  it('publishes the Detail each stored entry was stored for (isLatest of its transaction) and answers no batch item failure', async () => {
    const { publisher, invoke } = setUp();
    const batch = entries(3);

    expect(await invoke(streamEvent(batch))).toEqual({ batchItemFailures: [] });
    expect(publisher.events).toEqual(batch.map((e) => ({ detailType: 'MMS Delivered', detail: { ...e.record.detail, isLatest: false } })));
    expect(emfRecords(output.lines)).toEqual([expect.objectContaining({ EventsPublished: 3, EventsResent: 0, PublishRetried: 0 })]);
  });

  it('answers the sequence number of the first record still failing, and counts the events that will be sent again', async () => {
    const { publisher, invoke } = setUp();
    const batch = entries(5);
    const refused = batch[1]?.record.postbackId;
    publisher.failEntries((event) => (event.record.postbackId === refused ? 'InternalFailure' : undefined));

    const response = await invoke(streamEvent(batch, 700));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '701' }] });
    expect(emfRecords(output.lines)).toEqual([expect.objectContaining({ EventsPublished: 4, EventsResent: 3, PublishRetried: 2 })]);
    const errors = output.lines.filter((line) => line.includes('"level":"ERROR"'));
    expect(errors).toEqual([expect.stringContaining('"sequenceNumber":"701"')]);
  });

  it('reports a record whose image is not a complete history entry, and counts it', async () => {
    const { invoke } = setUp();
    const [good, bad] = entries(2) as [StreamEntry, StreamEntry];
    const broken = historyInsert(bad, '201');
    delete broken.dynamodb?.NewImage?.body;

    const response = await invoke({ Records: [historyInsert(good, '200'), broken] });

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '201' }] });
    expect(emfRecords(output.lines)).toEqual([expect.objectContaining({ EventsPublished: 1, EventUnbuildable: 1 })]);
  });
});
