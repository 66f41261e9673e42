/**
 * Unit tests of the ingest handler (HTTP, logs and metrics around the use case) on the
 * in-memory store, with a fake clock. The end-to-end behaviour on DynamoDB Local is in
 * `test/lambda/handlers/*.integration.test.ts`.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { PostbackStore } from '../../../lambda/ports';
import { FakeTime } from '../../fakes/fake-time';
import { InMemoryPostbackStore } from '../../fakes/in-memory-postback-store';
import { apiGatewayEvent } from '../../helpers/api-gateway-event';
import { captureOutput, emfRecords } from '../../helpers/captured-output';
import { fixture } from '../../helpers/fixtures';
import { lambdaContext } from '../../helpers/lambda-context';
import { UNIT_SECRET, unitIngestHandler } from '../../helpers/unit-ingest-handler';

function setUp(store: PostbackStore = new InMemoryPostbackStore()) {
  const time = new FakeTime(new Date());
  const handler = unitIngestHandler({ store, clock: time.now });
  const post = async (body: Record<string, unknown>) => {
    const event = apiGatewayEvent({ body, headers: { 'X-Postback-Token': UNIT_SECRET, 'Content-Type': 'application/json' } });
    const context = lambdaContext({ getRemainingTimeInMillis: time.invocation(10_000).getRemainingTimeInMillis });
    const result = (await handler(event, context)) as APIGatewayProxyResult;
    return { statusCode: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(result.body) as Record<string, unknown> };
  };
  return { post };
}

let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => output.restore());

const logLines = () => output.lines.filter((line) => line.startsWith('{') && !line.includes('"_aws"')).map((line) => JSON.parse(line));

describe('the ingest handler', () => {
  it('answers 200 accepted once the postback is stored, then 200 duplicate for the same postback', async () => {
    const { post } = setUp();
    const trackingId = `t-${randomUUID()}`;
    const body = { ...fixture('n102'), 'tracking-id': trackingId };

    expect(await post(body)).toMatchObject({ statusCode: 200, body: { result: 'accepted', trackingId, latest: true } });
    expect(await post(body)).toMatchObject({ statusCode: 200, body: { result: 'duplicate', trackingId } });
    expect(emfRecords(output.lines)).toEqual([
      expect.objectContaining({ PostbackAccepted: 1 }),
      expect.objectContaining({ PostbackDuplicate: 1 }),
    ]);
  });

  it('answers a transaction conflict (a concurrent copy) 503 with Retry-After, logged at WARN, not ERROR, and counted', async () => {
    const { post } = setUp({ save: async () => ({ outcome: 'conflict' }), saveRejected: async () => undefined });

    const res = await post({ ...fixture('n101'), 'tracking-id': `t-${randomUUID()}` });

    expect(res).toMatchObject({ statusCode: 503, headers: { 'retry-after': '2' }, body: { error: 'unavailable' } });
    const logs = logLines();
    expect(logs.filter((l) => l.level === 'ERROR')).toEqual([]);
    expect(logs.filter((l) => l.level === 'WARN')).toEqual([
      expect.objectContaining({ message: 'Answering 503: the sender should retry', reason: 'conflict' }),
    ]);
    expect(emfRecords(output.lines)).toEqual([expect.objectContaining({ PostbackConflict: 1 })]);
  });

  it('answers a DynamoDB failure 503 with Retry-After, logged at ERROR and counted as StoreFailed', async () => {
    const { post } = setUp({
      save: async () => {
        throw new Error('DynamoDB is down');
      },
      saveRejected: async () => undefined,
    });

    const res = await post({ ...fixture('n101'), 'tracking-id': `t-${randomUUID()}` });

    expect(res).toMatchObject({ statusCode: 503, headers: { 'retry-after': '2' } });
    expect(logLines().filter((l) => l.level === 'ERROR')).toEqual([expect.objectContaining({ reason: 'store' })]);
    expect(emfRecords(output.lines)).toEqual([expect.objectContaining({ StoreFailed: 1 })]);
  });
});
