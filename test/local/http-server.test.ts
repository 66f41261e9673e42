import http from 'node:http';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import {
  type LocalApi,
  MAX_REQUEST_HEADER_BYTES,
  MAX_REQUEST_PAYLOAD_BYTES,
  type ProxyHandler,
  redactUrl,
  startLocalApi,
} from '../../local/http-server';

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
      // application/json is one of the binary media types: the bytes arrive base64-encoded.
      body: body.toString('base64'),
      isBase64Encoded: true,
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

  it.each(['application/json; charset=latin1', 'Application/JSON', 'application/xml', 'text/xml; charset=iso-8859-1'])(
    'passes the bytes of a %s body unchanged, base64-encoded, as API Gateway does for the binary media types',
    async (contentType) => {
      const latin1 = Buffer.from('{"note":"Jos\u00e9"}', 'latin1'); // é is the single byte 0xe9: not UTF-8

      await request(api.port, 'POST', '/postbacks', [['Content-Type', contentType]], latin1);

      expect(seen[0]?.event.isBase64Encoded).toBe(true);
      expect(Buffer.from(seen[0]?.event.body ?? '', 'base64')).toEqual(latin1);
    },
  );

  it('passes other text bodies as UTF-8 text', async () => {
    await request(api.port, 'POST', '/postbacks', [['Content-Type', 'text/plain']], Buffer.from('José'));

    expect(seen[0]?.event).toMatchObject({ isBase64Encoded: false, body: 'José' });
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
    expect(JSON.parse(res.body)).toEqual({
      error: 'internal_error',
      message: 'Internal server error',
      requestId: res.headers['x-amzn-requestid'],
    });
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
      Buffer.alloc(MAX_REQUEST_PAYLOAD_BYTES + 1, 0x20),
    );

    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({
      error: 'request_too_long',
      message: 'Request Too Long',
      requestId: res.headers['x-amzn-requestid'],
    });
    expect(seen).toHaveLength(0);
  });

  it("every answer carries the request id in API Gateway's REST header, the event's own; every error body names it", async () => {
    const ok = await request(api.port, 'POST', '/postbacks', [['Content-Type', 'application/json']], Buffer.from('{}'));
    const notFound = await request(api.port, 'GET', '/nope');
    const wrongMethod = await request(api.port, 'GET', '/postbacks');

    expect(ok.headers['x-amzn-requestid']).toBe(seen[0]?.event.requestContext.requestId);
    expect(seen[0]?.context.awsRequestId).toBe(ok.headers['x-amzn-requestid']);
    for (const res of [notFound, wrongMethod]) {
      expect(res.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.parse(res.body).requestId).toBe(res.headers['x-amzn-requestid']);
    }
    expect(new Set([ok, notFound, wrongMethod].map((res) => res.headers['x-amzn-requestid'])).size).toBe(3);
  });

  it.each([
    ['a query string', `/messages?clientReference=${'x'.repeat(MAX_REQUEST_HEADER_BYTES)}`, []],
    ['a header', '/messages?clientReference=a', [['X-Big', 'x'.repeat(MAX_REQUEST_HEADER_BYTES)]]],
  ] as [string, string, [string, string][]][])(
    'answers an oversized request line or headers (%s) 431 in JSON',
    async (_what, path, headers) => {
      const res = await request(api.port, 'GET', path, headers);

      expect(res.status).toBe(431);
      expect(res.headers['content-type']).toBe('application/json');
      expect(JSON.parse(res.body)).toEqual({
        error: 'request_header_fields_too_large',
        message: 'the request line and headers exceed 10240 bytes (a query string or a header is too long)',
        requestId: res.headers['x-amzn-requestid'],
      });
      expect(seen).toHaveLength(0);
    },
  );

  it('gives a one-line error when its port is busy', async () => {
    await expect(startLocalApi({ port: api.port, routes: [] })).rejects.toThrow(
      new RegExp(`^Port ${api.port} on 127.0.0.1 is already in use: [^\\n]+PORT=`),
    );
  });
});

describe('request log lines', () => {
  it.each([
    ['/postbacks?token=s3cret', '/postbacks?token=***'],
    ['/postbacks?x=1&token=s3cret&y=2', '/postbacks?x=1&token=***&y=2'],
    ['/postbacks?token=s3cret&token=wrong', '/postbacks?token=***&token=***'],
    ['/postbacks?Token=s3cret', '/postbacks?Token=***'],
    ['/postbacks?%74oken=s3cret', '/postbacks?%74oken=***'],
    ['/postbacks?token', '/postbacks?token=***'],
    ['/postbacks?tokens=public', '/postbacks?tokens=public'],
    ['/postbacks', '/postbacks'],
  ])('%s is logged as %s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });

  it('never shows the token of the query string, right or wrong, whatever the answer', async () => {
    const lines: string[] = [];
    const api = await startLocalApi({
      port: 0,
      log: (line) => lines.push(line),
      routes: [
        {
          resource: '/postbacks',
          method: 'POST',
          functionName: 'IngestFunction',
          handler: () => async () => ({ statusCode: 401, body: '{"error":"unauthorized"}' }),
        },
      ],
    });
    try {
      await request(api.port, 'POST', '/postbacks?token=right-s3cret', [['Content-Type', 'application/json']], Buffer.from('{}'));
      await request(api.port, 'POST', '/postbacks?token=wrong-s3cret&a=b', [['Content-Type', 'application/json']], Buffer.from('{}'));
      await request(api.port, 'GET', '/postbacks?token=right-s3cret'); // 405
      await request(api.port, 'POST', '/nowhere?token=right-s3cret'); // 404
    } finally {
      await api.close();
    }

    expect(lines).toHaveLength(4);
    expect(lines.join('\n')).not.toMatch(/s3cret/);
    expect(lines).toEqual([
      expect.stringMatching(/^POST \/postbacks\?token=\*\*\* -> 401/),
      expect.stringMatching(/^POST \/postbacks\?token=\*\*\*&a=b -> 401/),
      expect.stringMatching(/^GET \/postbacks\?token=\*\*\* -> 405/),
      expect.stringMatching(/^POST \/nowhere\?token=\*\*\* -> 404/),
    ]);
  });
});
