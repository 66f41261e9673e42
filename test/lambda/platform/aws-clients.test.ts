/**
 * The SDK clients as the functions configure them (`awsClientConfig`, `configureClient`),
 * against a loopback HTTP server that answers as DynamoDB does (`{}` with a request id) and
 * records what it received: the SDK's own parts, configured, seen from the wire.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbStore } from '../../../lambda/adapters/dynamodb-store';
import { awsClientConfig, configureClient, UNUSED_MIDDLEWARE } from '../../../lambda/platform/aws-clients';
import { defaultProvider } from '../../../lambda/platform/env-credentials';

interface Received {
  readonly headers: http.IncomingHttpHeaders;
}

let server: http.Server;
let endpoint: string;
let received: Received[];
const clients: DynamoDBClient[] = [];

beforeEach(async () => {
  received = [];
  server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received.push({ headers: request.headers });
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `req-${received.length}` });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  jest.restoreAllMocks();
});

function client(options: { tracing?: boolean; credentialsFromEnvironment?: boolean } = {}): DynamoDBClient {
  const made = new DynamoDBClient({
    ...awsClientConfig({ region: 'us-east-1', endpoint, credentialsFromEnvironment: options.credentialsFromEnvironment ?? true }),
    // The default provider of the bundles (an esbuild alias: lambda/platform/env-credentials.ts).
    credentialDefaultProvider: defaultProvider,
  });
  clients.push(made);
  return configureClient(made, { tracing: options.tracing ?? false });
}

const put = (n: number) => new PutItemCommand({ TableName: 't', Item: { pk: { S: `k${n}` } } });
const accessKeyOf = (headers: http.IncomingHttpHeaders) => /Credential=([^/]+)\//.exec(String(headers.authorization))?.[1];

describe('the AWS SDK clients of the functions', () => {
  it('resolve the middleware stack once per command class: the store calls them without per-call options', async () => {
    const resolve = jest.spyOn(PutItemCommand.prototype, 'resolveMiddleware');
    const store = new DynamoDbStore({ client: client(), tableName: 't', historyRetentionDays: 1, rejectedRetentionDays: 1 });
    const rejected = (n: number) => ({
      requestId: `r${n}`,
      receivedAt: new Date('2026-12-01T00:00:00Z'),
      statusCode: 400,
      reason: 'invalid',
      message: 'invalid',
      body: '{}',
      truncated: false,
    });

    // Each call carries the invocation's deadline, as the handlers pass it.
    for (let n = 0; n < 3; n++) await store.saveRejected(rejected(n), { abortSignal: AbortSignal.timeout(10_000) });

    expect(received).toHaveLength(3);
    expect(resolve).toHaveBeenCalledTimes(1);
  });

  it('abandon a call when the deadline passes, answer or not', async () => {
    server.removeAllListeners('request');
    server.on('request', () => undefined); // never answers
    const store = new DynamoDbStore({ client: client(), tableName: 't', historyRetentionDays: 1, rejectedRetentionDays: 1 });
    const deadline = new AbortController();
    const saving = store.saveRejected(
      { requestId: 'r', receivedAt: new Date(), statusCode: 400, reason: 'x', message: 'x', body: '{}', truncated: false },
      { abortSignal: deadline.signal },
    );
    deadline.abort(new Error('the invocation ran out of time'));

    await expect(saving).rejects.toThrow('the invocation ran out of time');
  });

  it.each([
    { when: 'from the environment once per client when they are there', credentialsFromEnvironment: true, keys: ['FIRSTKEY', 'FIRSTKEY'] },
    {
      when: 'otherwise from the default provider on every request (the bundles: the environment provider)',
      credentialsFromEnvironment: false,
      keys: ['FIRSTKEY', 'SECONDKEY'],
    },
  ])('take credentials $when', async ({ credentialsFromEnvironment, keys }) => {
    const previous = process.env.AWS_ACCESS_KEY_ID;
    try {
      process.env.AWS_ACCESS_KEY_ID = 'FIRSTKEY';
      const dynamodb = client({ credentialsFromEnvironment });
      await dynamodb.send(put(1));
      process.env.AWS_ACCESS_KEY_ID = 'SECONDKEY';
      await dynamodb.send(put(2));

      expect(received.map((r) => accessKeyOf(r.headers))).toEqual(keys);
    } finally {
      // Assigning undefined would leave the string 'undefined' in the environment.
      if (previous === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = previous;
    }
  });

  it('sign every request with one signer per client', async () => {
    const dynamodb = client();
    const config = dynamodb.config as unknown as { signer: (scheme?: object) => Promise<unknown> };
    const scheme = { name: 'sigv4', signingName: 'dynamodb', signingRegion: 'us-east-1', properties: {} };

    const first = await config.signer(scheme);
    await dynamodb.send(put(1));

    expect(await config.signer(scheme)).toBe(first);
    expect(received[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=\w+\/\d{8}\/us-east-1\/dynamodb\/aws4_request/);
  });

  it('evaluate the endpoint rules once for the same parameters', async () => {
    const made = new DynamoDBClient(awsClientConfig({ region: 'us-east-1', endpoint }));
    clients.push(made);
    const config = made.config as unknown as { endpointProvider: (...args: unknown[]) => unknown };
    const rules = jest.fn(config.endpointProvider);
    config.endpointProvider = rules;
    const dynamodb = configureClient(made, { tracing: false });

    for (let n = 0; n < 3; n++) await dynamodb.send(put(n));

    expect(received).toHaveLength(3);
    expect(rules).toHaveBeenCalledTimes(1);
    expect(received.every((r) => r.headers.host === new URL(endpoint).host)).toBe(true);
  });

  it('with tracing off, leave out the user-agent and logger middleware; with tracing on, keep the whole stack', async () => {
    const off = client({ tracing: false });
    const on = client({ tracing: true });
    await off.send(put(1));
    await on.send(put(2));

    const names = (c: DynamoDBClient) => c.middlewareStack.identify().map((entry) => entry.split(' ')[0]);
    for (const name of UNUSED_MIDDLEWARE) {
      expect(names(off)).not.toContain(name);
      expect(names(on)).toContain(name);
    }
    expect(received[0]?.headers['x-amz-user-agent']).toBeUndefined();
    expect(received[1]?.headers['x-amz-user-agent']).toMatch(/^aws-sdk-js\//);
  });
});
