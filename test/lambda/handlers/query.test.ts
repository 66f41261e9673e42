/**
 * Integration tests of the query function against DynamoDB Local, with data fed through
 * the real ingest handler.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { createQueryHandler, defaultQueryDeps } from '../../../lambda/query-handler';
import { apiGatewayEvent } from '../../helpers/api-gateway-event';
import { fixture } from '../../helpers/fixtures';
import { type IngestHarness, startIngestHarness } from '../../helpers/ingest-harness';
import { lambdaContext } from '../../helpers/lambda-context';

let h: IngestHarness;
let query: ReturnType<typeof createQueryHandler>;
beforeAll(async () => {
  h = await startIngestHarness();
  query = createQueryHandler(defaultQueryDeps({ ...process.env, TABLE_NAME: h.table.tableName }));
});
afterAll(() => h.close());

async function get(path: string, params: Record<string, string> | null = null) {
  const match = /^\/messages\/(.+)$/.exec(path);
  const event = apiGatewayEvent({
    method: 'GET',
    path,
    resource: match ? '/messages/{trackingId}' : '/messages',
    pathParameters: match ? { trackingId: decodeURIComponent(match[1]!) } : null,
    query: params,
    body: null,
  });
  const result = (await query(event, lambdaContext())) as APIGatewayProxyResult;
  return { statusCode: result.statusCode, body: JSON.parse(result.body) };
}

const postback = (name: 'n101' | 'n102' | 'e102', trackingId: string, extra: Record<string, unknown> = {}) => ({
  ...fixture(name),
  'tracking-id': trackingId,
  ...extra,
});

describe('GET /messages/{trackingId}', () => {
  it('shows the latest state and the whole history, oldest first, after N102 then a late N101', async () => {
    const trackingId = `q-${randomUUID()}`;
    const n102 = await h.post(postback('n102', trackingId));
    const n101 = await h.post(postback('n101', trackingId));

    const res = await get(`/messages/${trackingId}`);

    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({
      trackingId,
      postbackId: n102.body.postbackId,
      code: 'N102',
      status: 'Delivered',
      statusDetails: 'Message Delivered',
      sentAs: 'MMS',
      to: '17745550001', // in full: the caller is IAM-authorized
      from: '18885551234',
      timestamp: '2026-04-24T18:31:10Z',
      format: 'json',
      clientReference: 'send-001',
      handset: 'Apple iPhone',
      origin: 'MMS_MT',
      lifecycle: 'send',
      outcome: 'success',
      final: true,
      detailType: 'MMS Delivered',
      receivedAt: expect.any(String),
      updatedAt: expect.any(String),
      history: [
        {
          postbackId: n101.body.postbackId,
          code: 'N101',
          status: 'Sent',
          timestamp: '2026-04-24T18:30:00Z',
          receivedAt: expect.any(String),
          detailType: 'MMS Sent',
          published: true,
        },
        {
          postbackId: n102.body.postbackId,
          code: 'N102',
          status: 'Delivered',
          timestamp: '2026-04-24T18:31:10Z',
          receivedAt: expect.any(String),
          detailType: 'MMS Delivered',
          published: true,
        },
      ],
    });
  });

  it('answers 404 for an unknown tracking-id', async () => {
    expect(await get('/messages/never-seen')).toEqual({ statusCode: 404, body: { error: 'not_found' } });
  });

  it('does not show rejected postbacks', async () => {
    const trackingId = `q-${randomUUID()}`;
    await h.post({ ...postback('n101', trackingId), to: 'not-a-number' });
    expect((await get(`/messages/${trackingId}`)).statusCode).toBe(404);
  });
});

describe('GET /messages?clientReference=', () => {
  it('lists the messages carrying a client reference, newest first', async () => {
    const ref = `ref-${randomUUID()}`;
    const a = `q-${randomUUID()}`;
    const b = `q-${randomUUID()}`;
    await h.post(postback('n101', a, { 'client-reference': ref, timestamp: '2026-04-24T10:00:00Z' }));
    await h.post(postback('n102', b, { 'client-reference': ref, timestamp: '2026-04-24T11:00:00Z' }));
    await h.post(postback('n101', `q-${randomUUID()}`, { 'client-reference': `${ref}-other` }));

    const res = await get('/messages', { clientReference: ref });

    expect(res.statusCode).toBe(200);
    expect(res.body.items.map((m: { trackingId: string; code: string }) => [m.trackingId, m.code])).toEqual([
      [b, 'N102'],
      [a, 'N101'],
    ]);
    expect(res.body).not.toHaveProperty('nextToken');
  });

  it('paginates: every message exactly once across pages', async () => {
    const ref = `ref-${randomUUID()}`;
    const ids = Array.from({ length: 7 }, (_, i) => `q-${i}-${randomUUID()}`);
    for (const [i, id] of ids.entries()) {
      await h.post(postback('n101', id, { 'client-reference': ref, timestamp: `2026-04-24T10:0${i}:00Z` }));
    }

    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const res = await get('/messages', { clientReference: ref, limit: '3', ...(nextToken ? { nextToken } : {}) });
      expect(res.statusCode).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((m: { trackingId: string }) => m.trackingId));
      nextToken = res.body.nextToken;
      pages += 1;
    } while (nextToken && pages < 10);

    expect(seen).toEqual([...ids].reverse());
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it.each([
    ['a missing clientReference', {}, 'clientReference is required'],
    ['an empty clientReference', { clientReference: ' ' }, 'clientReference is required'],
    ['a limit of 0', { clientReference: 'x', limit: '0' }, 'limit must be an integer from 1 to 100'],
    ['a limit of 101', { clientReference: 'x', limit: '101' }, 'limit must be an integer from 1 to 100'],
    ['a non-numeric limit', { clientReference: 'x', limit: 'ten' }, 'limit must be an integer from 1 to 100'],
    ['a garbage nextToken', { clientReference: 'x', nextToken: 'garbage!' }, 'nextToken is not valid for this query'],
  ])('answers 400 for %s', async (_name, params, message) => {
    expect(await get('/messages', params)).toEqual({ statusCode: 400, body: { error: 'invalid_parameter', message } });
  });

  it('refuses a tampered nextToken, and one from another client reference', async () => {
    const ref = `ref-${randomUUID()}`;
    for (let i = 0; i < 3; i++) await h.post(postback('n101', `q-${randomUUID()}`, { 'client-reference': ref }));
    const first = await get('/messages', { clientReference: ref, limit: '1' });
    const token: string = first.body.nextToken;
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString());
    decoded.k.pk = 'MSG#someone-else';
    const tampered = Buffer.from(JSON.stringify(decoded)).toString('base64url');

    expect((await get('/messages', { clientReference: ref, nextToken: tampered })).statusCode).toBe(400);
    expect((await get('/messages', { clientReference: `${ref}-x`, nextToken: token })).statusCode).toBe(400);
    expect((await get('/messages', { clientReference: ref, nextToken: token })).statusCode).toBe(200);
  });
});
