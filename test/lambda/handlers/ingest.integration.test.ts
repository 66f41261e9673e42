/**
 * Integration tests of the real ingest handler against DynamoDB Local (started by the
 * jest global setup), with the real publisher handler fed from the table's stream and a
 * loopback EventBridge endpoint that records every event.
 */
import { randomUUID } from 'node:crypto';
import { UNRECOGNIZED_DETAIL_TYPE } from '../../../lambda/domain/catalog';
import { ATTRIBUTE } from '../../../lambda/table/attributes';
import { startSecretsManagerLocal } from '../../../stand-ins/secrets-manager';
import { errorBody, UNAUTHORIZED_BODY, UNAVAILABLE_BODY } from '../../helpers/error-bodies';
import { EXAMPLE_NAMES, fixture } from '../../helpers/fixtures';
import { type IngestHarness, startIngestHarness, TEST_SECRET } from '../../helpers/ingest-harness';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngestHarness();
});
afterAll(() => h.close());
beforeEach(async () => {
  await h.publishFromStream();
  h.bus.reset();
});

const uniqueId = () => `t-${randomUUID()}`;
const withId = (
  name: (typeof EXAMPLE_NAMES)[number],
  trackingId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({ ...fixture(name), 'tracking-id': trackingId, ...extra });

describe('the provider examples, end to end', () => {
  const detailTypes = { n101: 'MMS Sent', n102: 'MMS Delivered', e102: 'MMS Rejected', n003: 'MMS Template Ready', n401: 'MMS Received' };

  it.each(EXAMPLE_NAMES)('%s is accepted, stored as latest state and published once', async (name) => {
    const trackingId = uniqueId();
    const body = withId(name, trackingId);

    const res = await h.post(body);

    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({ result: 'accepted', postbackId: expect.stringMatching(/^[0-9a-f]{32}$/), trackingId, latest: true });
    expect(await h.publishedEvents()).toHaveLength(1);
    const [event] = await h.publishedEvents();
    expect(event).toMatchObject({ source: 'mms.postbacks', detailType: detailTypes[name], eventBusName: 'test-bus' });
    expect(new Date(event!.time!).getTime()).toBe(Date.parse(body.timestamp as string));
    expect(event!.detail).toMatchObject({
      postbackId: res.body.postbackId,
      trackingId,
      code: body.code,
      timestamp: body.timestamp,
      isLatest: true,
      raw: body,
    });
    const state = await h.state(trackingId);
    expect(state).toMatchObject({ code: body.code, postbackId: res.body.postbackId, trackingId });
    const history = await h.history(trackingId);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      postbackId: res.body.postbackId,
      [ATTRIBUTE.isLatest]: true,
      body: JSON.stringify(body),
    });
    // Nothing that tracked publication is stored any more.
    expect(Object.keys(history[0] ?? {})).not.toEqual(expect.arrayContaining(['publishState']));
    expect(history[0]).not.toHaveProperty('leaseExpiresAt');
    expect(history[0]).not.toHaveProperty('relayShard');
  });

  it('publishes the full Detail of the N102 example, absent fields left out', async () => {
    const trackingId = uniqueId();
    const body = withId('n102', trackingId);
    const res = await h.post(body);
    const detail = (await h.publishedEvents())[0]!.detail as Record<string, unknown>;
    expect(detail).toEqual({
      postbackId: res.body.postbackId,
      trackingId,
      code: 'N102',
      status: 'Delivered',
      statusDetails: 'Message Delivered',
      sentAs: 'MMS',
      to: '17745550001',
      from: '18885551234',
      timestamp: '2026-04-24T18:31:10Z',
      clientReference: 'send-001',
      handset: 'Apple iPhone',
      origin: 'MMS_MT',
      lifecycle: 'send',
      outcome: 'success',
      final: true,
      isLatest: true,
      receivedAt: expect.any(String),
      raw: body,
      format: 'json',
    });
  });

  it('accepts N401 without tracking-id and recognises its retry', async () => {
    const { 'tracking-id': _t, ...body }: Record<string, unknown> = {
      ...fixture('n401'),
      from: '17745559999',
      timestamp: new Date().toISOString(),
    };
    const first = await h.post(body);
    const again = await h.post(body);
    expect(first.body).toMatchObject({ result: 'accepted', trackingId: expect.stringMatching(/^mo-/) });
    expect(again.body).toEqual({ result: 'duplicate', postbackId: first.body.postbackId, trackingId: first.body.trackingId });
    expect(await h.publishedEvents()).toHaveLength(1);
  });
});

describe('idempotency and the request budget', () => {
  it("costs one AWS request on the sender's path for a new postback and one for a duplicate, with no event and no state change", async () => {
    const trackingId = uniqueId();
    const body = withId('n101', trackingId);
    const firstDynamo = h.dynamoRequests();
    const firstBus = h.bus.requestCount;
    const first = await h.post(body);
    // New in-order postback: one transaction, and no EventBridge request on the sender's path.
    expect(h.dynamoRequests() - firstDynamo).toBe(1);
    expect(h.bus.requestCount - firstBus).toBe(0);
    const stateBefore = await h.state(trackingId);
    await h.publishFromStream();

    const beforeDynamo = h.dynamoRequests();
    const beforeBus = h.bus.requestCount;
    const again = await h.post({ ...body, 'status-details': 'a retried copy may differ in details' });

    expect(again.statusCode).toBe(200);
    expect(again.body).toEqual({ result: 'duplicate', postbackId: first.body.postbackId, trackingId });
    expect(h.dynamoRequests() - beforeDynamo).toBe(1);
    expect(h.bus.requestCount - beforeBus).toBe(0);
    expect(await h.publishedEvents()).toHaveLength(1);
    expect(await h.state(trackingId)).toEqual(stateBefore);
  });

  it('treats the same instant written with another offset as the same postback', async () => {
    const trackingId = uniqueId();
    await h.post(withId('n101', trackingId, { timestamp: '2026-04-24T18:30:00Z' }));
    const again = await h.post(withId('n101', trackingId, { timestamp: '2026-04-24T14:30:00-04:00' }));
    expect(again.body.result).toBe('duplicate');
  });
});

describe('the latest-state rule', () => {
  it('keeps N102 when N101 arrives late', async () => {
    const trackingId = uniqueId();
    await h.post(withId('n102', trackingId));
    const late = await h.post(withId('n101', trackingId));

    expect(late.body).toMatchObject({ result: 'accepted', latest: false });
    expect((await h.state(trackingId))?.code).toBe('N102');
    expect((await h.eventsFor(trackingId)).map((e) => [e.detailType, e.detail.isLatest])).toEqual([
      ['MMS Delivered', true],
      ['MMS Sent', false],
    ]);
    expect(await h.history(trackingId)).toHaveLength(2);
  });

  it('lets a later N102 replace N103 (same rank, later timestamp), but not an earlier one', async () => {
    const trackingId = uniqueId();
    await h.post(withId('n102', trackingId, { code: 'N103', status: 'Expired', timestamp: '2026-04-24T18:31:00Z' }));
    const earlier = await h.post(withId('n102', trackingId, { timestamp: '2026-04-24T18:30:59Z' }));
    const later = await h.post(withId('n102', trackingId, { timestamp: '2026-04-24T18:32:00Z' }));
    expect(earlier.body.latest).toBe(false);
    expect(later.body.latest).toBe(true);
    expect(await h.state(trackingId)).toMatchObject({ code: 'N102', timestamp: '2026-04-24T18:32:00Z', outcome: 'success' });
  });

  it('keeps the client reference when a later latest postback omits it, and drops per-postback fields', async () => {
    const trackingId = uniqueId();
    await h.post(withId('e102', trackingId, { timestamp: '2026-04-24T18:30:00Z' }));
    const { 'client-reference': _c, 'error-info': _e, ...n102 } = withId('n102', trackingId, { timestamp: '2026-04-24T18:40:00Z' });
    await h.post(n102);
    const state = await h.state(trackingId);
    expect(state).toMatchObject({ code: 'N102', clientReference: 'send-001', handset: 'Apple iPhone' });
    expect(state).not.toHaveProperty('errorInfo');
  });

  it('stores an unrecognized code in history only and publishes it as unrecognized', async () => {
    const trackingId = uniqueId();
    await h.post(withId('n101', trackingId));
    const res = await h.post(withId('n101', trackingId, { code: 'N555', status: 'Something new', timestamp: '2026-04-25T00:00:00Z' }));
    expect(res.body).toMatchObject({ result: 'accepted', latest: false });
    expect((await h.state(trackingId))?.code).toBe('N101');
    expect((await h.eventsFor(trackingId)).map((e) => e.detailType)).toEqual(['MMS Sent', UNRECOGNIZED_DETAIL_TYPE]);
    expect((await h.eventsFor(trackingId))[1]!.detail).toMatchObject({
      lifecycle: 'unknown',
      outcome: 'unknown',
      final: false,
      isLatest: false,
    });
  });

  it('accepts a status text that disagrees with the code: the code decides', async () => {
    const trackingId = uniqueId();
    const res = await h.post(withId('n102', trackingId, { status: 'Sent' }));
    expect(res.body.result).toBe('accepted');
    expect((await h.eventsFor(trackingId))[0]!.detailType).toBe('MMS Delivered');
  });
});

describe('concurrency', () => {
  it('stores and publishes exactly one event for 20 concurrent copies of one postback', async () => {
    const trackingId = uniqueId();
    const body = withId('n101', trackingId);

    const answers = await Promise.all(Array.from({ length: 20 }, () => h.post(body)));

    const accepted = answers.filter((a) => a.body.result === 'accepted');
    expect(accepted).toHaveLength(1);
    for (const a of answers.filter((x) => x.body.result !== 'accepted')) {
      // Copies either found the entry stored (duplicate) or met the first in a transaction conflict (503, retry).
      expect([200, 503]).toContain(a.statusCode);
      if (a.statusCode === 503) expect(a.headers['retry-after']).toBe('2');
      else expect(a.body.result).toBe('duplicate');
    }
    expect(await h.eventsFor(trackingId)).toHaveLength(1);
    expect((await h.postUntilDone(body)).body.result).toBe('duplicate');
    expect(await h.eventsFor(trackingId)).toHaveLength(1);
  });

  it('ends in N102 when N101 and N102 arrive concurrently', async () => {
    for (let round = 0; round < 5; round++) {
      const trackingId = uniqueId();
      const results = await Promise.all([h.postUntilDone(withId('n101', trackingId)), h.postUntilDone(withId('n102', trackingId))]);
      expect(results.map((r) => r.body.result)).toEqual(['accepted', 'accepted']);
      expect((await h.state(trackingId))?.code).toBe('N102');
      expect(await h.eventsFor(trackingId)).toHaveLength(2);
    }
  });
});

describe('faults', () => {
  it.each(['http500', 'partial'] as const)(
    'answers 200 while EventBridge fails (%s): the postback is stored, and its event follows once EventBridge recovers',
    async (fault) => {
      const trackingId = uniqueId();
      const body = withId('n102', trackingId);
      h.bus.injectFault(fault, 1_000); // every PutEvents fails until cleared

      const res = await h.post(body);

      expect(res.statusCode).toBe(200);
      expect(res.body).toMatchObject({ result: 'accepted', latest: true });
      // The publisher reports the record failed (the mapping would retry it); nothing is out yet.
      await expect(h.publishFromStream()).rejects.toThrow(/still reports .* failed/);
      expect(h.bus.events.filter((e) => (e.detail as { trackingId?: string }).trackingId === trackingId)).toHaveLength(0);

      h.bus.clearFaults();
      expect(await h.eventsFor(trackingId)).toHaveLength(1);
      expect((await h.post(body)).body.result).toBe('duplicate');
      expect(await h.eventsFor(trackingId)).toHaveLength(1);
    },
  );

  it('answers 503 when DynamoDB is unreachable and leaves nothing that makes the retry a duplicate', async () => {
    const trackingId = uniqueId();
    const body = withId('n101', trackingId);
    // The discard port: connection refused, like a DynamoDB that cannot be reached.
    const failed = await h.post(body, {}, h.handlerWith({ AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' }));

    expect(failed.statusCode).toBe(503);
    expect(failed.body).toEqual(UNAVAILABLE_BODY);
    expect(failed.headers['retry-after']).toBe('2');
    expect(await h.eventsFor(trackingId)).toHaveLength(0);
    const retried = await h.post(body);
    expect(retried.body.result).toBe('accepted');
    expect(await h.eventsFor(trackingId)).toHaveLength(1);
  });
});

describe('bad input', () => {
  const rejectedRecords = (requestId: string) => h.rejectedRecords(requestId);

  it.each([
    ['not JSON', '{"origin": ', {}, 400, { error: 'invalid_json', message: 'body is not valid JSON' }],
    ['a JSON array', '[1,2]', {}, 400, { error: 'invalid_json', message: 'body must be a JSON object, got an array' }],
    ['an empty body', '', {}, 400, { error: 'invalid_json', message: 'body is empty: expected one JSON object' }],
    [
      'wrong field types',
      JSON.stringify({ ...fixture('n101'), to: 17745550001, 'sent-as': 'FAX' }),
      {},
      400,
      {
        error: 'validation_failed',
        details: [
          { path: '/sent-as', message: 'must be one of "MMS", "SMS"' },
          { path: '/to', message: 'must be a string' },
        ],
      },
    ],
    [
      'a missing tracking-id on an MT code',
      JSON.stringify({ ...fixture('n102'), 'tracking-id': undefined }),
      {},
      400,
      { error: 'validation_failed', details: [{ path: '/tracking-id', message: 'is required' }] },
    ],
    [
      'a malformed code',
      JSON.stringify({ ...fixture('n101'), code: 'X42' }),
      {},
      400,
      { error: 'validation_failed', details: [{ path: '/code', message: 'must be N or E followed by 3 digits (^[NE][0-9]{3}$)' }] },
    ],
    ['a 65 KiB body', JSON.stringify({ ...fixture('n101'), pad: 'x'.repeat(65 * 1024) }), {}, 413, { error: 'payload_too_large' }],
    [
      'a non-JSON content type',
      JSON.stringify(fixture('n101')),
      { 'Content-Type': 'text/plain' },
      415,
      { error: 'unsupported_media_type' },
    ],
    ['no content type', JSON.stringify(fixture('n101')), { 'Content-Type': undefined }, 415, { error: 'unsupported_media_type' }],
    [
      'deeply nested JSON',
      `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      {},
      400,
      { error: 'invalid_json', message: 'body nests deeper than 32 levels' },
    ],
  ])('refuses %s with its status and JSON body, and keeps it as a rejected record', async (_name, body, headers, status, expected) => {
    const marker = randomUUID();
    const before = h.bus.requestCount;
    const allHeaders: Record<string, string> = { 'X-Postback-Token': TEST_SECRET, 'Content-Type': 'application/json' };
    for (const [k, v] of Object.entries(headers)) {
      if (v === undefined) delete allHeaders[k];
      else allHeaders[k] = v;
    }

    const res = await h.post(body, { headers: allHeaders, requestId: marker });

    expect(res.statusCode).toBe(status);
    expect(res.body).toEqual(errorBody({ ...expected, requestId: marker }));
    expect(h.bus.requestCount).toBe(before);
    const kept = (await rejectedRecords(marker)).find((r) => r.requestId === marker);
    expect(kept).toMatchObject({ statusCode: status, reason: expected.error, body: body.slice(0, 64 * 1024), truncated: status === 413 });
    expect((kept?.expiresAt as number) - Date.now() / 1000).toBeGreaterThan(13 * 86_400);
  });

  it('accepts any charset parameter and base64-encoded bodies', async () => {
    const trackingId = uniqueId();
    const body = JSON.stringify(withId('n101', trackingId));
    const res = await h.post(Buffer.from(body).toString('base64'), {
      isBase64Encoded: true,
      headers: { 'x-postback-token': TEST_SECRET, 'content-type': 'Application/JSON; charset=UTF-8' },
    });
    expect(res.body).toMatchObject({ result: 'accepted', trackingId });
  });

  it('measures the 64 KiB limit after base64 decoding', async () => {
    const trackingId = uniqueId();
    const body = JSON.stringify(withId('n101', trackingId, { pad: 'x'.repeat(60 * 1024) }));
    const res = await h.post(Buffer.from(body).toString('base64'), { isBase64Encoded: true });
    expect(res.statusCode).toBe(200);
  });
});

describe('authentication', () => {
  const body = () => withId('n101', uniqueId());
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  it.each([
    [
      'Basic auth password (any user name)',
      { headers: { Authorization: basic('sinch', TEST_SECRET), 'Content-Type': 'application/json' } },
    ],
    ['X-Postback-Token header', { headers: { 'x-postback-token': TEST_SECRET, 'Content-Type': 'application/json' } }],
    ['token query parameter', { headers: { 'Content-Type': 'application/json' }, query: { token: TEST_SECRET } }],
  ])('accepts the secret as %s', async (_name, overrides) => {
    expect((await h.post(body(), overrides)).statusCode).toBe(200);
  });

  it.each([
    ['no credentials', { headers: { 'Content-Type': 'application/json' } }],
    ['a wrong token', { headers: { 'x-postback-token': 'nope', 'Content-Type': 'application/json' } }],
    [
      'a wrong secret of the right length',
      { headers: { 'x-postback-token': 'x'.repeat(TEST_SECRET.length), 'Content-Type': 'application/json' } },
    ],
    ['a wrong Basic password', { headers: { Authorization: basic(TEST_SECRET, 'wrong'), 'Content-Type': 'application/json' } }],
    ['a wrong query token', { headers: { 'Content-Type': 'application/json' }, query: { token: 'bad' } }],
  ])('refuses %s with 401, stores nothing and publishes nothing', async (_name, overrides) => {
    const before = h.dynamoRequests();
    const res = await h.post('not even json', overrides);
    expect(res.statusCode).toBe(401);
    expect(res.body).toEqual(UNAUTHORIZED_BODY);
    expect(res.headers['www-authenticate']).toBe('Basic realm="postbacks"');
    expect(h.dynamoRequests()).toBe(before);
    expect(h.bus.requestCount).toBe(0);
  });

  it('takes the secret from Secrets Manager, and accepts the new and the previous one after a rotation', async () => {
    const sm = await startSecretsManagerLocal('first-secret');
    try {
      const handler = h.handlerWith({
        POSTBACK_SECRET: undefined,
        POSTBACK_SECRET_ARN: sm.arn,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint,
      });
      const withToken = (token: string) =>
        h.post(body(), { headers: { 'x-postback-token': token, 'Content-Type': 'application/json' } }, handler);

      expect((await withToken('first-secret')).statusCode).toBe(200);
      sm.rotate('second-secret');
      expect((await withToken('second-secret')).statusCode).toBe(200); // seen at once, no redeploy
      expect((await withToken('first-secret')).statusCode).toBe(200); // the previous one still works
      expect((await withToken('never-a-secret')).statusCode).toBe(401);
      expect(sm.requests).toEqual({ AWSCURRENT: 2, AWSPREVIOUS: 1 });
    } finally {
      await sm.close();
    }
  });

  it('answers 503 when Secrets Manager cannot be read, so that the sender retries', async () => {
    const sm = await startSecretsManagerLocal('s');
    try {
      sm.failNext(100);
      const handler = h.handlerWith({
        POSTBACK_SECRET: undefined,
        POSTBACK_SECRET_ARN: sm.arn,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint,
      });
      const res = await h.post(body(), { headers: { 'x-postback-token': 's', 'Content-Type': 'application/json' } }, handler);
      expect(res.statusCode).toBe(503);
      expect(res.body).toEqual(UNAVAILABLE_BODY);
    } finally {
      await sm.close();
    }
  });

  it('refuses everything when no secret is configured (fail closed)', async () => {
    const closed = h.handlerWith({ POSTBACK_SECRET: undefined, POSTBACK_SECRET_ARN: undefined });
    const res = await h.post(body(), {}, closed);
    expect(res.statusCode).toBe(401);
    expect(res.body).toEqual(UNAUTHORIZED_BODY);
  });
});
