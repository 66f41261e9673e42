/**
 * Integration tests of the query function against DynamoDB Local, with data fed through
 * the real ingest handler.
 */

import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { compareUtf8 } from '../../../lambda/adapters/dynamodb-message-reader';
import { createQueryHandler, defaultQueryDeps } from '../../../lambda/query/query-handler-factory';
import { ATTRIBUTE } from '../../../lambda/table/attributes';
import { clientReferenceShardKey } from '../../../lambda/table/client-reference-index';
import { keyAttributes, stateKey } from '../../../lambda/table/keys';
import { shardOf } from '../../../lambda/table/shards';
import { apiGatewayEvent } from '../../helpers/api-gateway-event';
import { errorBody } from '../../helpers/error-bodies';
import { fixture } from '../../helpers/fixtures';
import { type IngestHarness, startIngestHarness } from '../../helpers/ingest-harness';
import { lambdaContext } from '../../helpers/lambda-context';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');

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
        },
        {
          postbackId: n102.body.postbackId,
          code: 'N102',
          status: 'Delivered',
          timestamp: '2026-04-24T18:31:10Z',
          receivedAt: expect.any(String),
          detailType: 'MMS Delivered',
        },
      ],
    });
  });

  it('answers 404 for an unknown tracking-id', async () => {
    expect(await get('/messages/never-seen')).toEqual({
      statusCode: 404,
      body: errorBody({ error: 'not_found', message: 'no message with tracking-id never-seen' }),
    });
  });

  it('does not show rejected postbacks', async () => {
    const trackingId = `q-${randomUUID()}`;
    await h.post({ ...postback('n101', trackingId), to: 'not-a-number' });
    expect((await get(`/messages/${trackingId}`)).statusCode).toBe(404);
  });
});

/** Every page of a listing, following nextToken. */
async function listAll(clientReference: string, limit: number) {
  const seen: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const res = await get('/messages', { clientReference, limit: String(limit), ...(nextToken ? { nextToken } : {}) });
    expect(res.statusCode).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    seen.push(...res.body.items.map((m: { trackingId: string }) => m.trackingId));
    nextToken = res.body.nextToken;
    pages += 1;
  } while (nextToken && pages < 50);
  return { seen, pages };
}

describe('GET /messages?clientReference=', () => {
  it('lists the messages carrying a client reference, in tracking-id order, with their latest state', async () => {
    const ref = `ref-${randomUUID()}`;
    const a = `q-a-${randomUUID()}`;
    const b = `q-b-${randomUUID()}`;
    await h.post(postback('n101', b, { 'client-reference': ref, timestamp: '2026-04-24T10:00:00Z' }));
    await h.post(postback('n101', a, { 'client-reference': ref, timestamp: '2026-04-24T11:00:00Z' }));
    await h.post(postback('n102', a, { 'client-reference': ref, timestamp: '2026-04-24T11:00:05Z' }));
    await h.post(postback('n101', `q-${randomUUID()}`, { 'client-reference': `${ref}-other` }));

    const res = await get('/messages', { clientReference: ref });

    expect(res.statusCode).toBe(200);
    expect(res.body.items.map((m: { trackingId: string; code: string }) => [m.trackingId, m.code])).toEqual([
      [a, 'N102'],
      [b, 'N101'],
    ]);
    expect(res.body.items[0]).not.toHaveProperty(ATTRIBUTE.clientReferenceKey);
    expect(res.body.items[0]).not.toHaveProperty(ATTRIBUTE.clientReferenceSortKey);
    expect(res.body).not.toHaveProperty('nextToken');
  });

  it('paginates across the index shards: every message exactly once, in DynamoDB string order (UTF-8 bytes)', async () => {
    const ref = `ref-${randomUUID()}`;
    const run = randomUUID().slice(0, 8);
    // Multi-byte ids whose UTF-8 order differs from JavaScript's UTF-16 order ('\u{1F600}' vs '\uFFFD').
    const ids = [
      ...Array.from({ length: 20 }, (_, i) => `q-${run}-${String(i).padStart(2, '0')}`),
      `q-${run}-\u{1F600}`,
      `q-${run}-\uFFFD`,
      `q-${run}-é`,
    ];
    for (const id of ids) await h.post(postback('n101', id, { 'client-reference': ref }));
    expect(new Set(ids.map(shardOf)).size).toBeGreaterThanOrEqual(4);

    const { seen, pages } = await listAll(ref, 4);

    expect(seen).toEqual([...ids].sort(compareUtf8));
    expect(seen.indexOf(`q-${run}-\uFFFD`)).toBeLessThan(seen.indexOf(`q-${run}-\u{1F600}`));
    expect(pages).toBe(6); // 23 messages, 4 a page: no empty last page
  });

  it('a page as large as what is left ends the listing (no nextToken, no empty page)', async () => {
    const ref = `ref-${randomUUID()}`;
    for (let i = 0; i < 3; i++) await h.post(postback('n101', `q-${randomUUID()}`, { 'client-reference': ref }));

    const res = await get('/messages', { clientReference: ref, limit: '3' });

    expect(res.body.items).toHaveLength(3);
    expect(res.body).not.toHaveProperty('nextToken');
  });

  it('a listing (16 shard queries under one deadline) prints no MaxListenersExceededWarning', async () => {
    // Another program: Node prints the warning on the real process's stderr, which jest's sandbox does not see.
    const script = [
      "const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');",
      "const { DynamoDbMessageReader } = require('./lambda/adapters/dynamodb-message-reader');",
      `new DynamoDbMessageReader(new DynamoDBClient({}), ${JSON.stringify(h.table.tableName)})`,
      "  .listByClientReference('no-such-reference', 50, undefined, { abortSignal: AbortSignal.timeout(20000) })",
      '  .then((page) => console.log(JSON.stringify(page)));',
    ].join('\n');

    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', '--eval', script], { cwd: ROOT, env: process.env });

    expect(JSON.parse(stdout)).toEqual({ items: [] });
    expect(stderr).not.toMatch(/MaxListenersExceededWarning/);
  });

  it('lists a message under the reference of its latest state: N101 with "first", then N102 with "second"', async () => {
    // Literal references: a fresh table per test file, so no other message carries them.
    const trackingId = 'cr-first-second';
    expect((await h.post(postback('n101', trackingId, { 'client-reference': 'first' }))).statusCode).toBe(200);
    expect((await h.post(postback('n102', trackingId, { 'client-reference': 'second' }))).statusCode).toBe(200);

    const first = await get('/messages', { clientReference: 'first' });
    const second = await get('/messages', { clientReference: 'second' });

    expect(first).toEqual({ statusCode: 200, body: { items: [] } });
    expect(second.statusCode).toBe(200);
    expect(second.body.items).toEqual([expect.objectContaining({ trackingId, code: 'N102', clientReference: 'second' })]);
    expect(await h.state(trackingId)).toMatchObject({
      [ATTRIBUTE.clientReferenceKey]: clientReferenceShardKey('second', shardOf(trackingId)),
      [ATTRIBUTE.clientReferenceSortKey]: trackingId,
    });
  });

  it('a later state with the same reference, or with none, leaves the index keys as they were', async () => {
    const ref = `ref-${randomUUID()}`;
    const trackingId = `q-${randomUUID()}`;
    await h.post(postback('n101', trackingId, { 'client-reference': ref }));
    const first = await h.state(trackingId);
    await h.post(postback('n102', trackingId, { 'client-reference': ref }));
    const same = await h.state(trackingId);
    const keys = (state: Record<string, unknown> | undefined) => [
      state?.[ATTRIBUTE.clientReferenceKey],
      state?.[ATTRIBUTE.clientReferenceSortKey],
    ];

    expect(keys(first)).toEqual([clientReferenceShardKey(ref, shardOf(trackingId)), trackingId]);
    // Same index keys: DynamoDB writes nothing to an index when an update leaves its key attributes alone.
    expect(keys(same)).toEqual(keys(first));
    expect((await get('/messages', { clientReference: ref })).body.items).toEqual([expect.objectContaining({ trackingId, code: 'N102' })]);
  });

  it('a later latest state without a reference keeps the message listed under its reference (the state keeps it)', async () => {
    const ref = `ref-${randomUUID()}`;
    const trackingId = `q-${randomUUID()}`;
    await h.post(postback('n101', trackingId, { 'client-reference': ref }));
    const withoutReference: Record<string, unknown> = postback('n102', trackingId);
    delete withoutReference['client-reference'];
    await h.post(withoutReference);

    expect((await get('/messages', { clientReference: ref })).body.items).toEqual([
      expect.objectContaining({ trackingId, code: 'N102', clientReference: ref }),
    ]);
  });

  it('a later latest state with a blank reference leaves the listing of the old one and the index', async () => {
    const ref = `ref-${randomUUID()}`;
    const trackingId = `q-${randomUUID()}`;
    await h.post(postback('n101', trackingId, { 'client-reference': ref }));
    await h.post(postback('n102', trackingId, { 'client-reference': ' ' }));

    expect((await get('/messages', { clientReference: ref })).body.items).toEqual([]);
    expect(await h.state(trackingId)).not.toHaveProperty(ATTRIBUTE.clientReferenceKey);
  });

  it('a stale index entry (written before the index followed the latest state) does not list the message', async () => {
    const trackingId = `q-${randomUUID()}`;
    await h.post(postback('n102', trackingId, { 'client-reference': 'now' }));
    // Stand-in for a state written by an earlier version: the index keys still name the old reference.
    await h.table.client.send(
      new UpdateItemCommand({
        TableName: h.table.tableName,
        Key: keyAttributes(stateKey(trackingId)),
        UpdateExpression: 'SET #k = :k',
        ExpressionAttributeNames: { '#k': ATTRIBUTE.clientReferenceKey },
        ExpressionAttributeValues: { ':k': { S: clientReferenceShardKey('before', shardOf(trackingId)) } },
      }),
    );

    expect(
      (await get('/messages', { clientReference: 'before' })).body.items.map((i: { trackingId: string }) => i.trackingId),
    ).not.toContain(trackingId);
  });

  it.each([
    ['an empty', ''],
    ['a blank', ' \t '],
    ['an over-2,048-byte', '\u{1F600}'.repeat(513)],
  ])('stores a postback with %s client reference but does not index it', async (_name, ref) => {
    const trackingId = `q-${randomUUID()}`;
    expect((await h.post(postback('n101', trackingId, { 'client-reference': ref }))).statusCode).toBe(200);

    const state = await h.state(trackingId);

    expect(state).toMatchObject({ clientReference: ref });
    expect(state).not.toHaveProperty(ATTRIBUTE.clientReferenceKey);
    expect(state).not.toHaveProperty(ATTRIBUTE.clientReferenceSortKey);
  });

  it.each([
    ['a missing clientReference', {}, 'clientReference is required'],
    ['an empty clientReference', { clientReference: '' }, 'clientReference is required'],
    ['a blank clientReference', { clientReference: ' ' }, 'clientReference is required'],
    [
      'a clientReference over 2,048 UTF-8 bytes',
      { clientReference: '\u{1F600}'.repeat(513) },
      'clientReference must be at most 2048 UTF-8 bytes: longer ones are not listed',
    ],
    ['a limit of 0', { clientReference: 'x', limit: '0' }, 'limit must be an integer from 1 to 100'],
    ['a limit of 101', { clientReference: 'x', limit: '101' }, 'limit must be an integer from 1 to 100'],
    ['a non-numeric limit', { clientReference: 'x', limit: 'ten' }, 'limit must be an integer from 1 to 100'],
    ['a garbage nextToken', { clientReference: 'x', nextToken: 'garbage!' }, 'nextToken is not valid for this query'],
  ])('answers 400 for %s', async (_name, params, message) => {
    expect(await get('/messages', params)).toEqual({ statusCode: 400, body: errorBody({ error: 'invalid_parameter', message }) });
  });

  it('refuses a tampered nextToken, and one from another client reference', async () => {
    const ref = `ref-${randomUUID()}`;
    for (let i = 0; i < 3; i++) await h.post(postback('n101', `q-${randomUUID()}`, { 'client-reference': ref }));
    const first = await get('/messages', { clientReference: ref, limit: '1' });
    const token: string = first.body.nextToken;
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString());
    const tampered = Buffer.from(JSON.stringify({ ...decoded, a: 'q-' })).toString('base64url');

    expect((await get('/messages', { clientReference: ref, nextToken: tampered })).statusCode).toBe(400);
    expect((await get('/messages', { clientReference: `${ref}-x`, nextToken: token })).statusCode).toBe(400);
    expect((await get('/messages', { clientReference: ref, nextToken: token })).statusCode).toBe(200);
  });
});
