/**
 * The handlers behind an API Gateway HTTP API (`apiType: 'http'`): the integration sends
 * payload format 1.0, shaped as the HTTP API sends it (lower-case header names, repeated
 * headers and query parameters joined with commas, the stage in `path`, `version: '1.0'`,
 * no `multiValue…` duplicates of REST's last-value rule); see
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 * The real ingest and query handlers answer it as they answer the REST API's event.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createQueryHandler, defaultQueryDeps } from '../../../lambda/query/query-handler-factory';
import { errorBody, UNAUTHORIZED_BODY } from '../../helpers/error-bodies';
import { fixture } from '../../helpers/fixtures';
import { type IngestHarness, startIngestHarness, TEST_SECRET } from '../../helpers/ingest-harness';
import { lambdaContext } from '../../helpers/lambda-context';

let h: IngestHarness;
let query: ReturnType<typeof createQueryHandler>;
beforeAll(async () => {
  h = await startIngestHarness();
  query = createQueryHandler(defaultQueryDeps({ ...process.env, TABLE_NAME: h.table.tableName }));
});
afterAll(() => h.close());

interface HttpApiRequest {
  method: 'GET' | 'POST';
  /** The route's path template, e.g. `/messages/{trackingId}`. */
  route: string;
  path: string;
  headers?: Record<string, string>;
  query?: Record<string, string[]>;
  pathParameters?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}

/** An HTTP API payload 1.0 event, as API Gateway builds it for a request on stage `prod`. */
function httpApiV1Event(request: HttpApiRequest): APIGatewayProxyEvent {
  const headers = Object.fromEntries(
    Object.entries({ host: 'abcdef1234.execute-api.eu-west-1.amazonaws.com', 'user-agent': 'provider/1.0', ...request.headers }).map(
      ([name, value]) => [name.toLowerCase(), value],
    ),
  );
  const query = request.query;
  const requestId = `${randomUUID().slice(0, 12)}=`;
  return {
    version: '1.0',
    resource: request.route,
    path: `/prod${request.path}`,
    httpMethod: request.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, value.split(',')])),
    queryStringParameters: query ? Object.fromEntries(Object.entries(query).map(([name, values]) => [name, values.join(',')])) : null,
    multiValueQueryStringParameters: query ?? null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      authorizer: null,
      domainName: 'abcdef1234.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abcdef1234',
      extendedRequestId: requestId,
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAmr: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.10',
        user: null,
        userAgent: 'provider/1.0',
        userArn: null,
        apiKey: null,
        apiKeyId: null,
        clientCert: null,
      },
      path: `/prod${request.path}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: '30/Nov/2026:15:00:00 +0000',
      requestTimeEpoch: Date.now(),
      resourceId: `${request.method} ${request.route}`,
      resourcePath: request.route,
      stage: 'prod',
    },
    pathParameters: request.pathParameters ?? null,
    stageVariables: null,
    body: request.body ?? null,
    isBase64Encoded: request.isBase64Encoded ?? false,
  } as unknown as APIGatewayProxyEvent;
}

async function ingest(request: Omit<HttpApiRequest, 'method' | 'route' | 'path'>) {
  const result = (await h.handler(
    httpApiV1Event({ method: 'POST', route: '/postbacks', path: '/postbacks', ...request }),
    lambdaContext(),
  )) as APIGatewayProxyResult;
  return { statusCode: result.statusCode, body: JSON.parse(result.body) };
}

async function read(request: Omit<HttpApiRequest, 'method'>) {
  const result = (await query(httpApiV1Event({ method: 'GET', ...request }), lambdaContext())) as APIGatewayProxyResult;
  return { statusCode: result.statusCode, body: JSON.parse(result.body) };
}

describe('HTTP API payload format 1.0', () => {
  const ref = `ref-${randomUUID()}`;
  const trackingId = `http-${randomUUID()}`;
  const body = JSON.stringify({ ...fixture('n101'), 'tracking-id': trackingId, 'client-reference': ref });

  it('POST /postbacks: accepted with the token header, as text and as base64, then a duplicate', async () => {
    const first = await ingest({ headers: { 'X-Postback-Token': TEST_SECRET, 'Content-Type': 'application/json' }, body });
    const again = await ingest({
      headers: { 'x-postback-token': TEST_SECRET, 'content-type': 'application/json; charset=utf-8' },
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    });

    expect(first).toEqual({ statusCode: 200, body: expect.objectContaining({ result: 'accepted', trackingId }) });
    expect(again).toEqual({ statusCode: 200, body: expect.objectContaining({ result: 'duplicate', trackingId }) });
    expect(await h.eventsFor(trackingId)).toHaveLength(1);
  });

  it('POST /postbacks: the token in the query string and Basic auth are accepted, a wrong one is 401', async () => {
    const id = `http-${randomUUID()}`;
    const n102 = JSON.stringify({ ...fixture('n102'), 'tracking-id': id });
    const basic = `Basic ${Buffer.from(`provider:${TEST_SECRET}`).toString('base64')}`;

    const byQuery = await ingest({ headers: { 'content-type': 'application/json' }, query: { token: [TEST_SECRET] }, body: n102 });
    const byBasic = await ingest({ headers: { 'content-type': 'application/json', authorization: basic }, body: n102 });
    const wrong = await ingest({ headers: { 'content-type': 'application/json' }, query: { token: ['nope'] }, body: n102 });

    expect(byQuery.body).toMatchObject({ result: 'accepted', trackingId: id });
    expect(byBasic.body).toMatchObject({ result: 'duplicate', trackingId: id });
    expect(wrong).toEqual({ statusCode: 401, body: UNAUTHORIZED_BODY });
  });

  it('GET /messages/{trackingId} and GET /messages?clientReference= answer as behind the REST API', async () => {
    const one = await read({ route: '/messages/{trackingId}', path: `/messages/${trackingId}`, pathParameters: { trackingId } });
    const list = await read({ route: '/messages', path: '/messages', query: { clientReference: [ref] } });
    const missing = await read({ route: '/messages', path: '/messages' });

    expect(one).toEqual({ statusCode: 200, body: expect.objectContaining({ trackingId, code: 'N101', history: [expect.any(Object)] }) });
    expect(list).toEqual({ statusCode: 200, body: { items: [expect.objectContaining({ trackingId, clientReference: ref })] } });
    expect(missing).toEqual({ statusCode: 400, body: errorBody({ error: 'invalid_parameter', message: 'clientReference is required' }) });
  });
});
