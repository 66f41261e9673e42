/**
 * Every AWS call of an invocation is bounded by the time the invocation has left: a
 * service that stops answering ends in 503 with `Retry-After` before the Lambda context's
 * deadline, never in a 500 or a Lambda timeout. EventBridge is not on the ingest's path at all.
 *
 * Fault stand-in: a loopback proxy (`stand-ins/stalling-proxy.ts`) that holds chosen
 * requests open without ever answering, alone or in front of the jest run's DynamoDB Local.
 * The Lambda context here has a 4 s deadline (the function's own is 10 s), far shorter
 * than the clients' own timeouts and retries (3 attempts of up to 2 s each).
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { type StallingProxy, startStallingProxy } from '../../../stand-ins/stalling-proxy';
import { apiGatewayEvent } from '../../helpers/api-gateway-event';
import { UNAVAILABLE_BODY } from '../../helpers/error-bodies';
import { fixture } from '../../helpers/fixtures';
import { type IngestHandler, type IngestHarness, startIngestHarness, TEST_SECRET } from '../../helpers/ingest-harness';
import { lambdaContext } from '../../helpers/lambda-context';

const DEADLINE_MS = 4_000;

let h: IngestHarness;
let proxies: StallingProxy[] = [];
beforeAll(async () => {
  h = await startIngestHarness();
});
afterAll(() => h.close());
beforeEach(async () => {
  await h.publishFromStream();
  h.bus.reset();
});
afterEach(async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
  proxies = [];
});

const stalling = async (stalls: (operation: string) => boolean, upstream?: string) => {
  const proxy = await startStallingProxy(stalls, upstream);
  proxies.push(proxy);
  return proxy;
};

/** Invokes `handler` with a context whose deadline is `DEADLINE_MS` away; tells how much time was left at the answer. */
async function invoke(handler: IngestHandler, body: object, secret = TEST_SECRET) {
  const deadline = Date.now() + DEADLINE_MS;
  const context: Context = lambdaContext({ getRemainingTimeInMillis: () => deadline - Date.now() });
  const event = apiGatewayEvent({ body, headers: { 'X-Postback-Token': secret, 'Content-Type': 'application/json' } });
  const result = (await handler(event, context)) as APIGatewayProxyResult;
  return { result, body: JSON.parse(result.body) as Record<string, unknown>, leftMs: context.getRemainingTimeInMillis() };
}

const postback = () => ({ ...fixture('n101'), 'tracking-id': `deadline-${randomUUID()}` });

it('answers 503 with Retry-After before the deadline when DynamoDB stops answering', async () => {
  const dynamodb = await stalling(() => true);
  const body = postback();

  const { result, body: answer, leftMs } = await invoke(h.handlerWith({ AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint }), body);

  expect(result.statusCode).toBe(503);
  expect(result.headers?.['retry-after']).toBe('2');
  expect(answer).toEqual(UNAVAILABLE_BODY);
  expect(leftMs).toBeGreaterThan(0);
  expect(dynamodb.stalled.TransactWriteItems).toBeGreaterThanOrEqual(1);
  expect(await h.eventsFor(body['tracking-id'])).toHaveLength(0);
  // Nothing was written: the sender's retry is accepted at once.
  expect((await h.post(body)).body.result).toBe('accepted');
});

it('answers 200 when EventBridge stops answering: the ingest never calls it, and the event follows from the stream', async () => {
  const eventbridge = await stalling(() => true);
  const body = postback();

  const { result, body: answer } = await invoke(h.handlerWith({ AWS_ENDPOINT_URL_EVENTBRIDGE: eventbridge.endpoint }), body);

  expect(result.statusCode).toBe(200);
  expect(answer).toMatchObject({ result: 'accepted' });
  expect(eventbridge.stalled.PutEvents ?? 0).toBe(0);
  expect(await h.eventsFor(body['tracking-id'])).toHaveLength(1);
});

it('answers 503 with Retry-After before the deadline when Secrets Manager stops answering', async () => {
  const secretsManager = await stalling(() => true);
  const handler = h.handlerWith({
    POSTBACK_SECRET: undefined,
    POSTBACK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:postback-secret-AbCdEf',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
  });

  const { result, leftMs } = await invoke(handler, postback());

  expect(result.statusCode).toBe(503);
  expect(result.headers?.['retry-after']).toBe('2');
  expect(leftMs).toBeGreaterThan(0);
  expect(secretsManager.stalled.GetSecretValue).toBeGreaterThanOrEqual(1);
});
