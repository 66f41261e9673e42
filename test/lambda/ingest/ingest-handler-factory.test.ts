/**
 * Unit tests of the ingest handler (HTTP, logs and metrics around the use case) on the
 * in-memory store and publisher, with a fake clock and sleep. The end-to-end behaviour on
 * DynamoDB Local and a loopback EventBridge is in `test/lambda/handlers/*.integration.test.ts`.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { createIngestHandler } from '../../../lambda/ingest/ingest-handler-factory';
import { FakeTime } from '../../fakes/fake-time';
import { faultyStore } from '../../fakes/faulty-store';
import { InMemoryEventPublisher } from '../../fakes/in-memory-event-publisher';
import { InMemoryPostbackStore } from '../../fakes/in-memory-postback-store';
import { apiGatewayEvent } from '../../helpers/api-gateway-event';
import { captureOutput, emfRecords } from '../../helpers/captured-output';
import { fixture } from '../../helpers/fixtures';
import { lambdaContext } from '../../helpers/lambda-context';

const SECRET = 'unit-secret-0123456789';

function setUp(markPublishedFailures: number) {
  const time = new FakeTime(new Date());
  const fake = new InMemoryPostbackStore({ leaseSeconds: 60 });
  const publisher = new InMemoryEventPublisher();
  const handler = createIngestHandler({
    config: { retryAfterSeconds: 2 },
    store: faultyStore(fake, { markPublishedFailures }),
    publisher,
    secrets: { secrets: async () => [SECRET] },
    logger: new Logger({ serviceName: 'mms-postbacks', logLevel: 'INFO' }),
    metrics: new Metrics({ namespace: 'MmsPostbacks', serviceName: 'mms-postbacks' }),
    clock: time.now,
    sleep: time.sleep,
  });
  const post = async (body: Record<string, unknown>) => {
    const event = apiGatewayEvent({ body, headers: { 'X-Postback-Token': SECRET, 'Content-Type': 'application/json' } });
    // The function's default timeout, on the fake clock.
    const context = lambdaContext({ getRemainingTimeInMillis: time.invocation(10_000).getRemainingTimeInMillis });
    const result = (await handler(event, context)) as APIGatewayProxyResult;
    return { statusCode: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(result.body) as Record<string, unknown> };
  };
  return { time, fake, publisher, post };
}

let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => output.restore());

const logLines = () => output.lines.filter((line) => line.startsWith('{') && !line.includes('"_aws"')).map((line) => JSON.parse(line));

describe('the ingest handler when the entry cannot be marked published', () => {
  it('answers 200 once the event is out but the entry cannot be marked published at all, and a copy waits for the lease', async () => {
    const { time, fake, publisher, post } = setUp(100);
    const trackingId = `t-${randomUUID()}`;
    const body = { ...fixture('n101'), 'tracking-id': trackingId };

    const res = await post(body);

    expect(res.body).toMatchObject({ result: 'accepted', trackingId }); // the event is published: a 5xx would make the sender retry
    expect(publisher.eventsFor(trackingId)).toHaveLength(1);
    expect(fake.history(trackingId)).toEqual([expect.objectContaining({ published: false })]);
    // The policy: 6 retries, 100 ms doubling (6.3 s on the fake clock).
    expect(time.sleeps).toEqual([100, 200, 400, 800, 1600, 3200]);
    const copy = await post(body);
    expect(copy.statusCode).toBe(503);
    expect(copy.headers['retry-after']).toBe('2');
    expect(publisher.eventsFor(trackingId)).toHaveLength(1);
  });

  it('logs each retry and the final failure, and counts the failure as StoreFailed', async () => {
    const { post } = setUp(100);

    await post({ ...fixture('n101'), 'tracking-id': `t-${randomUUID()}` });

    const logs = logLines();
    expect(logs.filter((l) => l.message === 'Could not mark the entry published yet; retrying').map((l) => [l.level, l.attempt])).toEqual(
      [1, 2, 3, 4, 5, 6].map((attempt) => ['WARN', attempt]),
    );
    expect(logs.filter((l) => l.level === 'ERROR')).toEqual([
      expect.objectContaining({ message: 'Event published but the history entry could not be marked published', attempts: 7 }),
    ]);
    expect(emfRecords(output.lines)).toEqual([expect.objectContaining({ StoreFailed: 1, PostbackAccepted: 1 })]);
  });

  it('answers accepted and marks the entry published when the write succeeds on a retry', async () => {
    const { time, fake, post } = setUp(2);
    const trackingId = `t-${randomUUID()}`;

    const res = await post({ ...fixture('n102'), 'tracking-id': trackingId });

    expect(res.body).toMatchObject({ result: 'accepted', latest: true });
    expect(time.sleeps).toEqual([100, 200]);
    expect(fake.history(trackingId)).toEqual([expect.objectContaining({ published: true })]);
    expect(emfRecords(output.lines)).toEqual([expect.not.objectContaining({ StoreFailed: expect.anything() })]);
  });
});
