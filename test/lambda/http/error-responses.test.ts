/**
 * Every error answer of the functions names what was wrong and carries the request id
 * (the ingest handler on the in-memory store; the query handler on an in-memory reader).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { MessageReader } from '../../../lambda/adapters/dynamodb-message-reader';
import type { PostbackStore } from '../../../lambda/ports';
import { createQueryHandler } from '../../../lambda/query/query-handler-factory';
import { InMemoryPostbackStore } from '../../fakes/in-memory-postback-store';
import { type ApiGatewayEventOverrides, apiGatewayEvent } from '../../helpers/api-gateway-event';
import { captureOutput } from '../../helpers/captured-output';
import { fixture } from '../../helpers/fixtures';
import { lambdaContext } from '../../helpers/lambda-context';
import { UNIT_SECRET, unitIngestHandler } from '../../helpers/unit-ingest-handler';

const REQUEST_ID = 'c0ffee00-1111-4222-8333-444455556666';

let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => output.restore());

function ingest(store: PostbackStore = new InMemoryPostbackStore()) {
  return unitIngestHandler({ store, logLevel: 'WARN' });
}

async function call(handler: ReturnType<typeof ingest> | ReturnType<typeof createQueryHandler>, overrides: ApiGatewayEventOverrides) {
  const result = (await handler(apiGatewayEvent({ requestId: REQUEST_ID, ...overrides }), lambdaContext())) as APIGatewayProxyResult;
  return { statusCode: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(result.body) as Record<string, unknown> };
}

const token = { 'X-Postback-Token': UNIT_SECRET };
const failingStore: PostbackStore = {
  save: async () => {
    throw new Error('injected DynamoDB fault');
  },
  saveRejected: async () => undefined,
};

describe('error answers carry a message and the request id', () => {
  it.each<[string, ApiGatewayEventOverrides, number, string, PostbackStore | undefined]>([
    ['401', { body: fixture('n101') }, 401, 'unauthorized', undefined],
    ['400 invalid_json', { body: '{"origin":', headers: { ...token, 'Content-Type': 'application/json' } }, 400, 'invalid_json', undefined],
    ['400 validation_failed', { body: { ...fixture('n101'), to: 'x' }, headers: { ...token } }, 400, 'validation_failed', undefined],
    [
      '413',
      { body: `{"a":"${'x'.repeat(70_000)}"}`, headers: { ...token, 'Content-Type': 'application/json' } },
      413,
      'payload_too_large',
      undefined,
    ],
    ['415 media type', { body: 'a=b', headers: { ...token, 'Content-Type': 'text/plain' } }, 415, 'unsupported_media_type', undefined],
    ['503', { body: fixture('n101'), headers: { ...token } }, 503, 'unavailable', failingStore],
  ])('ingest %s', async (_name, overrides, statusCode, error, store) => {
    const res = await call(ingest(store), overrides);

    expect(res.statusCode).toBe(statusCode);
    expect(res.body).toMatchObject({ error, requestId: REQUEST_ID, message: expect.stringMatching(/\w/) });
  });

  it('the query function: 404 and 400', async () => {
    const reader: MessageReader = {
      getMessage: async () => undefined,
      listByClientReference: async () => ({ items: [], after: undefined }),
    };
    const handler = createQueryHandler({
      config: { retryAfterSeconds: 5 },
      reader,
      logger: new Logger({ serviceName: 'q', logLevel: 'WARN' }),
    });
    const get = { method: 'GET', body: null };

    const notFound = await call(handler, {
      ...get,
      path: '/messages/abc',
      resource: '/messages/{trackingId}',
      pathParameters: { trackingId: 'abc' },
    });
    const bad = await call(handler, { ...get, path: '/messages', query: {} });

    expect(notFound).toMatchObject({
      statusCode: 404,
      body: { error: 'not_found', requestId: REQUEST_ID, message: 'no message with tracking-id abc' },
    });
    expect(bad).toMatchObject({
      statusCode: 400,
      body: { error: 'invalid_parameter', requestId: REQUEST_ID, message: 'clientReference is required' },
    });
  });

  it('the query function answers a failed read 503 with the configured Retry-After', async () => {
    const reader: MessageReader = {
      getMessage: async () => {
        throw new Error('injected DynamoDB fault');
      },
      listByClientReference: async () => ({ items: [], after: undefined }),
    };
    const handler = createQueryHandler({
      config: { retryAfterSeconds: 7 },
      reader,
      logger: new Logger({ serviceName: 'q', logLevel: 'CRITICAL' }),
    });

    const res = await call(handler, {
      method: 'GET',
      body: null,
      path: '/messages/abc',
      resource: '/messages/{trackingId}',
      pathParameters: { trackingId: 'abc' },
    });

    expect(res).toMatchObject({ statusCode: 503, headers: { 'retry-after': '7' }, body: { error: 'unavailable', requestId: REQUEST_ID } });
  });

  it('the function log lines of the request carry the same request id', async () => {
    await call(ingest(), { body: 'a=b', headers: { ...token, 'Content-Type': 'text/plain' } });

    const logs = output.lines.filter((line) => line.startsWith('{') && !line.includes('"_aws"')).map((line) => JSON.parse(line));
    expect(logs.find((l) => l.message === 'Postback refused and kept as a rejected record')).toMatchObject({ requestId: REQUEST_ID });
  });
});

describe('a 415 names what was wrong', () => {
  it.each([
    ['text/plain', 'content type "text/plain" is neither JSON (application/json) nor XML (application/xml, text/xml)'],
    ['application/json; charset=klingon', 'charset "klingon" is not supported (for example utf-8, iso-8859-1 or us-ascii)'],
  ])('%s', async (contentType, message) => {
    const res = await call(ingest(), { body: '{}', headers: { ...token, 'Content-Type': contentType } });

    expect(res.statusCode).toBe(415);
    expect(res.body).toEqual({ error: 'unsupported_media_type', message, requestId: REQUEST_ID });
  });
});
