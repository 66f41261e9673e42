/**
 * Integration tests of the latest-state rule as DynamoDB Local enforces it through the real
 * ingest handler: ties decided the same way whatever the arrival order, far-future
 * timestamps that never pin a state, and the ids of inbound (MO) postbacks.
 */
import { randomUUID } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ATTRIBUTE } from '../../../lambda/table/attributes';
import { keyAttributes, stateKey } from '../../../lambda/table/keys';
import { fixture } from '../../helpers/fixtures';
import { type IngestHarness, startIngestHarness } from '../../helpers/ingest-harness';

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
const postback = (name: 'n101' | 'n102' | 'e102', trackingId: string, timestamp: string) => ({
  ...fixture(name),
  'tracking-id': trackingId,
  timestamp,
});

describe('equal rank and equal instant', () => {
  const SAME = '2026-04-24T18:31:10Z';
  const SAME_OTHER_ZONE = '2026-04-24T13:31:10.000-05:00';

  it.each([
    ['N102 then E102', ['n102', 'e102']],
    ['E102 then N102', ['e102', 'n102']],
  ] as const)('%s at the same instant end with E102 (failure before success) as the latest state', async (_name, order) => {
    const trackingId = uniqueId();
    const answers = [];
    for (const name of order) answers.push(await h.post(postback(name, trackingId, name === 'n102' ? SAME : SAME_OTHER_ZONE)));

    expect(answers.map((a) => [a.statusCode, a.body.result])).toEqual([
      [200, 'accepted'],
      [200, 'accepted'],
    ]);
    expect(answers.map((a) => a.body.latest)).toEqual(order[0] === 'n102' ? [true, true] : [true, false]);
    expect((await h.state(trackingId))?.code).toBe('E102');
    const events = await h.eventsFor(trackingId);
    expect(events.map((e) => [e.detailType, e.detail.isLatest])).toEqual(
      order[0] === 'n102'
        ? [
            ['MMS Delivered', true],
            ['MMS Rejected', true],
          ]
        : [
            ['MMS Rejected', true],
            ['MMS Delivered', false],
          ],
    );
  });

  it('ends in the same state when both arrive at once', async () => {
    const trackingId = uniqueId();
    await Promise.all([h.postUntilDone(postback('n102', trackingId, SAME)), h.postUntilDone(postback('e102', trackingId, SAME))]);
    expect((await h.state(trackingId))?.code).toBe('E102');
    expect((await h.history(trackingId)).length).toBe(2);
  });

  it('stores the precedence the condition compares on the state item', async () => {
    const trackingId = uniqueId();
    await h.post(postback('n102', trackingId, SAME));
    const state = await h.state(trackingId);
    // Stored on the state item for the condition expression...
    expect(String(state?.precedence)).toContain('#2026-04-24T18:31:10.000000000Z#2#');
  });
});

describe('a state stored before the precedence attribute existed', () => {
  it('is compared by rank and instant', async () => {
    const trackingId = uniqueId();
    // A Delivered state as the store wrote it before: rank and instant key, no precedence.
    await h.table.client.send(
      new PutItemCommand({
        TableName: h.table.tableName,
        Item: {
          ...keyAttributes(stateKey(trackingId)),
          [ATTRIBUTE.postbackId]: { S: 'legacy' },
          [ATTRIBUTE.code]: { S: 'N102' },
          [ATTRIBUTE.catalogRank]: { N: '2' },
          [ATTRIBUTE.instantKey]: { S: '2026-04-24T18:31:10.000000000Z' },
        },
      }),
    );

    const late = await h.post(postback('n101', trackingId, '2026-04-24T18:30:00Z'));
    const earlierFinal = await h.post(postback('e102', trackingId, '2026-04-24T18:31:00Z'));
    const laterFinal = await h.post(postback('e102', trackingId, '2026-04-24T18:32:00Z'));

    expect([late.body.latest, earlierFinal.body.latest, laterFinal.body.latest]).toEqual([false, false, true]);
    const state = await h.state(trackingId);
    expect(state?.postbackId).toBe(laterFinal.body.postbackId);
    expect(state?.[ATTRIBUTE.precedence]).toEqual(expect.stringMatching(/^020#2026-04-24T18:32:00\.000000000Z#3#/));
  });
});

describe('a timestamp more than 24 hours after receipt', () => {
  it('is accepted, stored and published, but never becomes the latest state', async () => {
    const trackingId = uniqueId();
    const sent = await h.post(postback('n101', trackingId, '2026-04-24T18:30:00Z'));
    const farFuture = await h.post(postback('e102', trackingId, '9999-12-31T23:59:59Z'));
    const delivered = await h.post(postback('n102', trackingId, '2026-04-24T18:31:10Z'));

    expect(sent.body).toMatchObject({ result: 'accepted', latest: true });
    expect(farFuture.body).toMatchObject({ result: 'accepted', latest: false });
    expect(delivered.body).toMatchObject({ result: 'accepted', latest: true });
    expect((await h.state(trackingId))?.code).toBe('N102');
    expect((await h.history(trackingId)).map((e) => e.code).sort()).toEqual(['E102', 'N101', 'N102']);
    expect((await h.eventsFor(trackingId)).map((e) => [e.detailType, e.detail.isLatest])).toEqual([
      ['MMS Sent', true],
      ['MMS Rejected', false],
      ['MMS Delivered', true],
    ]);
    // A copy of the far-future postback is a duplicate as usual.
    expect((await h.post(postback('e102', trackingId, '9999-12-31T23:59:59Z'))).body.result).toBe('duplicate');
  });

  it('creates no state when it is the first postback of a message', async () => {
    const trackingId = uniqueId();
    const res = await h.post(postback('n102', trackingId, new Date(Date.now() + 25 * 3600_000).toISOString()));
    expect(res.body).toMatchObject({ result: 'accepted', latest: false });
    expect(await h.state(trackingId)).toBeUndefined();
    expect((await h.history(trackingId)).length).toBe(1);
    expect((await h.eventsFor(trackingId)).map((e) => e.detail.isLatest)).toEqual([false]);
  });
});

describe('inbound (MO) postbacks without a tracking-id', () => {
  const mo = (extra: Record<string, unknown>) => {
    const { 'tracking-id': _t, ...body } = fixture('n401');
    return { ...body, from: `1774${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`, ...extra };
  };

  it('two different messages from one phone in the same second stay two messages', async () => {
    const first = mo({ keyword: 'INFO' });
    const second = { ...first, keyword: 'STOP' };
    const third = { ...first, content: [{ file: 'https://example.com/mo/other.jpg' }] };
    const answers = [await h.post(first), await h.post(second), await h.post(third)];
    expect(answers.map((a) => a.body.result)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(new Set(answers.map((a) => a.body.trackingId)).size).toBe(3);
  });

  it('a retried message is recognised, also with its timestamp in another zone', async () => {
    const first = mo({ timestamp: '2026-04-24T18:34:00Z' });
    const accepted = await h.post(first);
    const retried = await h.post({ ...first, timestamp: '2026-04-24T20:34:00+02:00' });
    expect(accepted.body.result).toBe('accepted');
    expect(retried.body).toMatchObject({ result: 'duplicate', trackingId: accepted.body.trackingId, postbackId: accepted.body.postbackId });
  });
});
