import http from 'node:http';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { type LocalApi, MAX_BODY_BYTES, type ProxyHandler, startLocalApi } from '../../local/http-server';

/** Raw HTTP, so that repeated headers and exact bytes reach the server as sent. */
function request(
  port: number,
  method: string,
  path: string,
  headers: [string, string][] = [],
  body?: Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const flat = [['Host', `127.0.0.1:${port}`], ...headers].flat();
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: flat as unknown as http.OutgoingHttpHeaders }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('local API Gateway stand-in', () => {
  let api: LocalApi;
  const seen: { event: APIGatewayProxyEvent; context: Context; fn: string }[] = [];
  let answer: ProxyHandler = async () => ({ statusCode: 200, body: '{}' });
  const recorder =
    (fn: string): ProxyHandler =>
    async (event, context) => {
      seen.push({ event, context, fn });
      return answer(event, context);
    };
  const ingest = recorder('ingest');
  const query = recorder('query');

  beforeAll(async () => {
    api = await startLocalApi({
      port: 0,
      routes: [
        { resource: '/postbacks', method: 'POST', functionName: 'IngestFunction', handler: () => ingest },
        { resource: '/messages/{trackingId}', method: 'GET', functionName: 'QueryFunction', handler: () => query },
        { resource: '/messages', method: 'GET', functionName: 'QueryFunction', handler: () => query },
      ],
    });
  });
  afterAll(() => api.close());
  beforeEach(() => {
    seen.length = 0;
    answer = async () => ({ statusCode: 200, body: '{}' });
  });

  it('builds a REST proxy event for POST /postbacks', async () => {
    const body = Buffer.from('{"code":"N101","note":"é"}');

    await request(
      api.port,
      'POST',
      '/postbacks?token=s3cret&token=other',
      [
        ['Content-Type', 'application/json; charset=utf-8'],
        ['X-Postback-Token', 'a'],
        ['X-Postback-Token', 'b'],
      ],
      body,
    );

    const { event, context, fn } = seen[0] ?? ({} as never);
    expect(fn).toBe('ingest');
    expect(event).toMatchObject({
      resource: '/postbacks',
      path: '/postbacks',
      httpMethod: 'POST',
      pathParameters: null,
      queryStringParameters: { token: 'other' },
      multiValueQueryStringParameters: { token: ['s3cret', 'other'] },
      body: '{"code":"N101","note":"é"}',
      isBase64Encoded: false,
      requestContext: { resourcePath: '/postbacks', httpMethod: 'POST', stage: 'local', identity: { sourceIp: '127.0.0.1' } },
    });
    expect(event.headers['Content-Type']).toBe('application/json; charset=utf-8');
    expect(event.headers['X-Postback-Token']).toBe('b');
    expect(event.multiValueHeaders['X-Postback-Token']).toEqual(['a', 'b']);
    expect(event.headers['X-Forwarded-For']).toBe('127.0.0.1');
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.awsRequestId).toBe(event.requestContext.requestId);
    expect(context.functionName).toBe('IngestFunction');
  });

  it('passes path parameters decoded, and the query of GET /messages', async () => {
    await request(api.port, 'GET', '/messages/abc%20123');
    await request(api.port, 'GET', '/messages?clientReference=send-001');

    expect(seen.map((s) => [s.fn, s.event.resource, s.event.pathParameters, s.event.queryStringParameters, s.event.body])).toEqual([
      ['query', '/messages/{trackingId}', { trackingId: 'abc 123' }, null, null],
      ['query', '/messages', null, { clientReference: 'send-001' }, null],
    ]);
  });

  it('sends non-text bodies base64-encoded', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);

    await request(api.port, 'POST', '/postbacks', [['Content-Type', 'application/octet-stream']], bytes);

    expect(seen[0]?.event.isBase64Encoded).toBe(true);
    expect(Buffer.from(seen[0]?.event.body ?? '', 'base64')).toEqual(bytes);
  });

  it("returns the handler's answer as it is", async () => {
    answer = async () => ({
      statusCode: 401,
      headers: { 'WWW-Authenticate': 'Basic realm="postbacks"', 'Content-Type': 'application/json' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      body: '{"error":"unauthorized"}',
    });

    const res = await request(api.port, 'POST', '/postbacks', [['Content-Type', 'application/json']], Buffer.from('{}'));

    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="postbacks"');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(res.body).toBe('{"error":"unauthorized"}');
  });

  it('answers 502 like API Gateway when the function fails', async () => {
    answer = async () => {
      throw new Error('boom');
    };
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);

    const res = await request(api.port, 'POST', '/postbacks', [['Content-Type', 'application/json']], Buffer.from('{}'));

    spy.mockRestore();
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body)).toEqual({ message: 'Internal server error' });
  });

  it('answers 404 and 405 in JSON for other routes and methods', async () => {
    const notFound = await request(api.port, 'GET', '/nope');
    const wrongMethod = await request(api.port, 'GET', '/postbacks');
    const emptyId = await request(api.port, 'GET', '/messages/');

    expect([notFound.status, wrongMethod.status, emptyId.status]).toEqual([404, 405, 404]);
    expect(JSON.parse(notFound.body)).toMatchObject({ error: 'not_found' });
    expect(JSON.parse(wrongMethod.body)).toMatchObject({ error: 'method_not_allowed' });
    expect(wrongMethod.headers.allow).toBe('POST');
    expect(seen).toHaveLength(0);
  });

  it('refuses bodies over 10 MB like API Gateway', async () => {
    const res = await request(
      api.port,
      'POST',
      '/postbacks',
      [['Content-Type', 'application/json']],
      Buffer.alloc(MAX_BODY_BYTES + 1, 0x20),
    );

    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ message: 'Request Too Long' });
    expect(seen).toHaveLength(0);
  });

  it('gives a one-line error when its port is busy', async () => {
    await expect(startLocalApi({ port: api.port, routes: [] })).rejects.toThrow(
      new RegExp(`^Port ${api.port} on 127.0.0.1 is already in use: [^\\n]+PORT=`),
    );
  });
});
