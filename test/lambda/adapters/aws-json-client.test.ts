/**
 * The JSON-protocol client against a scripted loopback server: signing, answers, error
 * parsing, the retry policy and timeouts.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsJsonClient, AwsServiceError } from '../../../lambda/adapters/aws-json-client';

type Reply = { status: number; body?: unknown; hang?: boolean; drop?: boolean; headers?: Record<string, string> };

let server: http.Server;
let replies: Reply[] = [];
let seen: { headers: http.IncomingHttpHeaders; body: string }[] = [];
let endpoint: URL;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      const reply = replies.shift() ?? { status: 200, body: {} };
      if (reply.drop) {
        req.socket.destroy();
        return;
      }
      if (reply.hang) return;
      res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.0', ...reply.headers });
      res.end(reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  endpoint = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  replies = [];
  seen = [];
});

const client = (overrides: Partial<ConstructorParameters<typeof AwsJsonClient>[0]> = {}) =>
  new AwsJsonClient({
    signingName: 'dynamodb',
    targetPrefix: 'DynamoDB_20120810',
    jsonVersion: '1.0',
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' },
    ...overrides,
  });

it('sends a signed AWS JSON request and returns the parsed answer', async () => {
  replies = [{ status: 200, body: { Item: { pk: { S: 'a' } } } }];
  const c = client();

  const out = await c.send('GetItem', { TableName: 't', Key: { pk: { S: 'a' } } });

  expect(out).toEqual({ Item: { pk: { S: 'a' } } });
  const [request] = seen;
  expect(JSON.parse(request!.body)).toEqual({ TableName: 't', Key: { pk: { S: 'a' } } });
  expect(request!.headers).toMatchObject({
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': 'DynamoDB_20120810.GetItem',
    'x-amz-security-token': 'token',
    host: endpoint.host,
  });
  expect(request!.headers.authorization).toMatch(
    /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=.*x-amz-target.*, Signature=[0-9a-f]{64}$/,
  );
  expect(c.requests).toBe(1);
  c.destroy();
});

it('turns an error answer into an AwsServiceError with its name and body, without retrying a client error', async () => {
  replies = [
    {
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
        message: 'The conditional request failed',
        Item: { pk: { S: 'a' } },
      },
    },
  ];
  const c = client();
  const error = await c.send('PutItem', {}).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AwsServiceError);
  expect(error).toMatchObject({ code: 'ConditionalCheckFailedException', statusCode: 400, body: { Item: { pk: { S: 'a' } } } });
  expect(c.requests).toBe(1);
  c.destroy();
});

it.each([
  ['a 500', { status: 500, body: { __type: 'InternalServerError', message: 'boom' } }],
  [
    'a throttle',
    { status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'slow down' } },
  ],
  ['a dropped connection', { status: 0, drop: true }],
  ['a non-JSON 502 from a proxy', { status: 502, body: '<html>bad gateway</html>' }],
])('retries %s, then succeeds', async (_name, reply) => {
  replies = [reply, reply, { status: 200, body: { ok: true } }];
  const c = client();
  expect(await c.send('PutItem', {})).toEqual({ ok: true });
  expect(c.requests).toBe(3);
  c.destroy();
});

it('gives up after maxAttempts with the last error', async () => {
  replies = [500, 500, 500, 500].map((status) => ({ status, body: { __type: 'InternalServerError', message: 'boom' } }));
  const c = client({ maxAttempts: 3 });
  await expect(c.send('PutItem', {})).rejects.toMatchObject({ code: 'InternalServerError', statusCode: 500 });
  expect(c.requests).toBe(3);
  c.destroy();
});

it('times out an attempt that gets no answer, and retries it', async () => {
  replies = [
    { status: 0, hang: true },
    { status: 200, body: { ok: 1 } },
  ];
  const c = client({ requestTimeoutMs: 200 });
  expect(await c.send('PutItem', {})).toEqual({ ok: 1 });
  expect(c.requests).toBe(2);
  c.destroy();
});

it('reports a refused connection as a NetworkError after its attempts', async () => {
  const c = client({ endpoint: new URL('http://127.0.0.1:9'), maxAttempts: 2 });
  await expect(c.send('PutItem', {})).rejects.toMatchObject({ code: 'NetworkError' });
  expect(c.requests).toBe(2);
  c.destroy();
});
