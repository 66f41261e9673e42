/**
 * Integration tests of the relay against DynamoDB Local and the loopback EventBridge, with
 * entries left unpublished by the real ingest handler. Faults are forced with the
 * EventBridge stand-in's fault injection and with store wrappers that make one DynamoDB
 * write fail (stand-ins for a crashed invocation or a failing write), as each test says.
 */
import { randomUUID } from 'node:crypto';
import { BatchWriteItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbMessageReader } from '../../../lambda/adapters/dynamodb-message-reader';
import { ATTRIBUTE, keyOf, messageKey, PUBLISH_STATE } from '../../../lambda/adapters/item-vocabulary';
import { createIngestHandler, defaultIngestDeps } from '../../../lambda/ingest/ingest-handler-factory';
import type { PostbackStore, RelayStore } from '../../../lambda/ports';
import type { RelayReport } from '../../../lambda/relay/relay';
import { createRelayHandler, defaultRelayDeps } from '../../../lambda/relay/relay-handler-factory';
import { RELAY } from '../../../lambda/table-definition';
import { fixture } from '../../helpers/fixtures';
import { type IngestHarness, startIngestHarness, TEST_SECRET } from '../../helpers/ingest-harness';
import { lambdaContext } from '../../helpers/lambda-context';

const LEASE_MS = 60_000; // the harness's lease (LEASE_SECONDS default)

let h: IngestHarness;
let env: Record<string, string | undefined>;
beforeAll(async () => {
  h = await startIngestHarness();
  env = {
    ...process.env,
    TABLE_NAME: h.table.tableName,
    EVENT_BUS_NAME: 'test-bus',
    POSTBACK_SECRET: TEST_SECRET,
    RETRY_AFTER_SECONDS: '2',
  };
});
afterAll(() => h.close());
beforeEach(() => h.bus.reset());

const uniqueId = () => `r-${randomUUID()}`;
const body = (name: 'n101' | 'n102', trackingId: string) => ({ ...fixture(name), 'tracking-id': trackingId });

/** One relay run, as the schedule invokes it, with its clock at `at`; optionally with a changed store. */
async function relayAt(at: Date, wrap?: (store: RelayStore) => RelayStore): Promise<RelayReport> {
  const deps = defaultRelayDeps(env);
  const handler = createRelayHandler({ ...deps, store: wrap ? wrap(deps.store) : deps.store, clock: () => at });
  return (await handler({}, lambdaContext({ functionName: 'RelayFunction' }))) as RelayReport;
}
const later = (ms: number) => new Date(Date.now() + ms);
const afterLease = () => later(LEASE_MS + 1_000);

/** The real store whose calls named in `failing` throw (an injected DynamoDB fault). */
function failing<S extends object>(names: (keyof S)[]) {
  return (store: S): S =>
    new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        if (names.includes(property as keyof S))
          return async () => Promise.reject(new Error(`injected DynamoDB fault in ${String(property)}`));
        return value.bind(target);
      },
    });
}

/**
 * Leaves a postback stored but unpublished with its lease running, as an ingest invocation
 * does when PutEvents fails and it cannot give the lease up (it crashed, timed out, or the
 * release write failed: here the release write fails).
 */
async function leaveUnpublished(postback: Record<string, unknown>, clock?: () => Date) {
  const ingest = createIngestHandler({ ...defaultIngestDeps(env), ...(clock ? { clock } : {}) });
  const wrapped = h.handlerWith({}, failing<PostbackStore>(['release']));
  h.bus.injectFault('http500', 10); // more than the SDK's retries
  const res = await h.post(postback, {}, clock ? ingest : wrapped);
  h.bus.clearFaults();
  expect(res.statusCode).toBe(503);
  return res;
}

const indexEntriesFor = (trackingId: string) => h.indexEntriesFor(RELAY, trackingId);

describe('the happy path', () => {
  it('an accepted postback leaves the relay index when it is marked published, and the relay publishes nothing', async () => {
    const trackingId = uniqueId();
    expect((await h.post(body('n101', trackingId))).body.result).toBe('accepted');

    expect(await indexEntriesFor(trackingId)).toEqual([]);
    const [entry] = await h.history(trackingId);
    expect(entry).toMatchObject({ [ATTRIBUTE.publishState]: PUBLISH_STATE.published });
    expect(entry).not.toHaveProperty(RELAY.shardAttribute);
    expect(entry).not.toHaveProperty(RELAY.leaseAttribute);
    const report = await relayAt(afterLease());
    expect(h.eventsFor(trackingId)).toHaveLength(1);
    expect(report.published).toBe(0);
  });
});

describe('entries left unpublished', () => {
  it('PutEvents fails: the entry stays unpublished, and after the lease the relay publishes it once and marks it', async () => {
    const trackingId = uniqueId();
    await leaveUnpublished(body('n101', trackingId));
    expect(h.eventsFor(trackingId)).toHaveLength(0);
    expect(await indexEntriesFor(trackingId)).toHaveLength(1);

    const early = await relayAt(new Date());
    expect(h.eventsFor(trackingId)).toHaveLength(0); // its lease still runs: the sender may still retry
    expect(early.published).toBe(0);

    const report = await relayAt(afterLease());
    expect(report).toMatchObject({ published: 1, failed: 0, unmarked: 0 });
    expect(h.eventsFor(trackingId)).toHaveLength(1);
    expect((await h.history(trackingId))[0]).toMatchObject({ [ATTRIBUTE.publishState]: PUBLISH_STATE.published });
    expect(await indexEntriesFor(trackingId)).toEqual([]);

    const again = await relayAt(later(3 * LEASE_MS));
    expect(again.published).toBe(0);
    expect(h.eventsFor(trackingId)).toHaveLength(1);
    expect((await h.post(body('n101', trackingId))).body.result).toBe('duplicate');
  });

  it('publishes the same event the ingest function publishes (detail-type, time, Detail with isLatest)', async () => {
    const trackingId = uniqueId();
    const receivedAt = new Date('2026-05-01T10:00:00.123Z');
    const clock = () => receivedAt;
    const postback = body('n102', trackingId);
    // The reference: the ingest function publishing the postback itself.
    const ingest = createIngestHandler({ ...defaultIngestDeps(env), clock });
    expect((await h.post(postback, {}, ingest)).body.result).toBe('accepted');
    const [reference] = h.bus.events;
    // Forget it, then store it again with PutEvents failing, for the relay to publish.
    const items = await h.table.client.send(
      new QueryCommand({
        TableName: h.table.tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': ATTRIBUTE.partitionKey },
        ExpressionAttributeValues: { ':pk': { S: messageKey(trackingId) } },
      }),
    );
    await h.table.client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [h.table.tableName]: (items.Items ?? []).map((item) => ({ DeleteRequest: { Key: keyOf(item) } })),
        },
      }),
    );
    h.bus.reset();
    await leaveUnpublished(postback, clock);

    // Its lease was taken at `receivedAt`: long expired by now.
    expect((await relayAt(new Date())).published).toBe(1);

    const [relayed] = h.bus.events;
    expect(relayed).toMatchObject({
      source: reference!.source,
      detailType: reference!.detailType,
      eventBusName: 'test-bus',
      time: reference!.time,
    });
    expect(relayed!.detail).toEqual(reference!.detail);
    expect(relayed!.detail).toMatchObject({ isLatest: true, receivedAt: receivedAt.toISOString() });
  });

  it('keeps isLatest false for a postback older than the latest state', async () => {
    const trackingId = uniqueId();
    expect((await h.post(body('n102', trackingId))).body.result).toBe('accepted');
    await leaveUnpublished(body('n101', trackingId)); // earlier timestamp and lower rank: history only

    await relayAt(afterLease());

    const events = h.eventsFor(trackingId);
    expect(events.map((e) => [e.detailType, e.detail.isLatest])).toEqual([
      ['MMS Delivered', true],
      ['MMS Sent', false],
    ]);
  });

  it('keeps isLatest false for a postback dated more than a day after its receipt (history only)', async () => {
    const trackingId = uniqueId();
    // Received 2026-04-01: the fixture's 2026-04-24 timestamp lies weeks in the future.
    await leaveUnpublished(body('n102', trackingId), () => new Date('2026-04-01T00:00:00Z'));

    await relayAt(afterLease());

    const events = h.eventsFor(trackingId);
    expect(events.map((e) => [e.detailType, e.detail.isLatest])).toEqual([['MMS Delivered', false]]);
  });

  it('mark-published fails after the ingest function published: the relay publishes once more (the at-least-once case), then never again', async () => {
    const trackingId = uniqueId();
    const postback = body('n101', trackingId);
    // The ingest function's mark-published retries (6.3 s of delays) pass at once: only their outcome matters here.
    const deps = defaultIngestDeps(env);
    const ingest = createIngestHandler({
      ...deps,
      store: failing<PostbackStore>(['markPublished'])(deps.store),
      sleep: async () => undefined,
    });
    const res = await h.post(postback, {}, ingest);
    expect(res.body.result).toBe('accepted');
    expect(h.eventsFor(trackingId)).toHaveLength(1);

    await relayAt(afterLease());
    await relayAt(later(3 * LEASE_MS));
    await relayAt(later(5 * LEASE_MS));

    const events = h.eventsFor(trackingId);
    expect(events).toHaveLength(2); // at most one extra, identical to the first
    expect(events[1]!.detail).toEqual(events[0]!.detail);
    expect((await h.history(trackingId))[0]).toMatchObject({ [ATTRIBUTE.publishState]: PUBLISH_STATE.published });
    expect((await h.post(postback)).body.result).toBe('duplicate');
  });

  it('PutEvents fails during a relay run: the entry stays unpublished and the next run publishes it once', async () => {
    const trackingId = uniqueId();
    await leaveUnpublished(body('n101', trackingId));
    h.bus.injectFault('http500', 10);

    const failed = await relayAt(afterLease());
    h.bus.clearFaults();

    expect(failed).toMatchObject({ published: 0, failed: 1 });
    expect((await h.history(trackingId))[0]).toMatchObject({ [ATTRIBUTE.publishState]: PUBLISH_STATE.unpublished });
    const next = await relayAt(later(LEASE_MS + 61_000)); // the next scheduled run
    expect(next).toMatchObject({ published: 1, failed: 0 });
    expect(h.eventsFor(trackingId)).toHaveLength(1);
  });

  it("the relay's own mark-published fails: the next run after its lease publishes once more, then never again", async () => {
    const trackingId = uniqueId();
    await leaveUnpublished(body('n101', trackingId));

    const first = await relayAt(afterLease(), failing<RelayStore>(['markPublished']));
    expect(first).toMatchObject({ published: 1, unmarked: 1 });
    expect(await relayAt(later(LEASE_MS + 30_000))).toMatchObject({ published: 0 }); // its own lease still runs
    expect(await relayAt(later(3 * LEASE_MS))).toMatchObject({ published: 1, unmarked: 0 });
    expect(await relayAt(later(5 * LEASE_MS))).toMatchObject({ published: 0 });

    expect(h.eventsFor(trackingId)).toHaveLength(2);
  });

  it("a relay run concurrent with the sender's retry of the same postback publishes one event", async () => {
    const postbacks = Array.from({ length: 8 }, () => body('n101', uniqueId()));
    // Stored two leases ago and released: both the relay and a retry may take them now.
    const storedAt = new Date(Date.now() - 2 * LEASE_MS);
    for (const postback of postbacks) await leaveUnpublished(postback, () => storedAt);

    // The sender retries each postback while the relay runs.
    const [report, ...answers] = await Promise.all([relayAt(new Date()), ...postbacks.map((postback) => h.postUntilDone(postback))]);
    await relayAt(later(3 * LEASE_MS));

    // Each postback went out once, through whichever took its lease first.
    const byRetry = answers.filter((answer) => answer.body.result === 'accepted').length;
    expect(report.published + byRetry).toBe(postbacks.length);

    for (const postback of postbacks) {
      const trackingId = postback['tracking-id'] as string;
      expect(h.eventsFor(trackingId)).toHaveLength(1);
      expect((await h.history(trackingId))[0]).toMatchObject({ [ATTRIBUTE.publishState]: PUBLISH_STATE.published });
    }
  });
});

describe('the age of the oldest unpublished entry', () => {
  it('is 0 when nothing is due, and the age since receipt of the oldest due entry otherwise', async () => {
    const trackingId = uniqueId();
    const receivedAt = new Date();
    expect((await relayAt(receivedAt)).oldestAgeSeconds).toBe(0);
    await leaveUnpublished(body('n101', trackingId), () => receivedAt);
    h.bus.injectFault('http500', 10); // the relay cannot publish: the entry keeps ageing

    const report = await relayAt(new Date(receivedAt.getTime() + 200_000));
    h.bus.clearFaults();

    expect(report.failed).toBe(1);
    expect(report.oldestAgeSeconds).toBe(200);
  });
});

describe('the read API', () => {
  it('lists every stored postback with whether its event is out', async () => {
    const trackingId = uniqueId();
    const reader = new DynamoDbMessageReader(h.table.client, h.table.tableName);
    expect((await h.post(body('n101', trackingId))).body.result).toBe('accepted');
    await leaveUnpublished(body('n102', trackingId));

    const before = await reader.getMessage(trackingId);
    expect(before?.history.map((entry) => [entry.code, entry.published])).toEqual([
      ['N101', true],
      ['N102', false],
    ]);

    await relayAt(afterLease());
    const after = await reader.getMessage(trackingId);
    expect(after?.history.map((entry) => [entry.code, entry.published])).toEqual([
      ['N101', true],
      ['N102', true],
    ]);
  });
});
