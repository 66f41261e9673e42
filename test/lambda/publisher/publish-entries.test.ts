/**
 * Unit tests of the stream publisher's use case on the in-memory EventBridge publisher of
 * `test/fakes/` (which refuses requests over PutEvents' limits, as EventBridge does), with
 * the sleep and the invocation's time on a fake clock: retries run in microseconds and
 * their delays are asserted.
 */
import { randomUUID } from 'node:crypto';
import type { StoredEntry } from '../../../lambda/ports';
import { type BatchItem, createPublishEntries, type PublishEntriesDeps } from '../../../lambda/publisher/publish-entries';
import { MAX_ENTRIES_PER_REQUEST, MAX_REQUEST_BYTES } from '../../../lambda/put-events-limits';
import { FakeTime } from '../../fakes/fake-time';
import { InMemoryEventPublisher } from '../../fakes/in-memory-event-publisher';
import { type ExampleName, fixture, interpreted } from '../../helpers/fixtures';

const T0 = new Date('2026-04-24T18:35:00Z');

/** A stored history entry of one of the provider's examples, and its batch item (sequence number `seq`). */
function item(seq: number, name: ExampleName, trackingId: string, extra: Record<string, unknown> = {}): BatchItem & { entry: StoredEntry } {
  const body = { ...fixture(name), 'tracking-id': trackingId, ...extra };
  const record = interpreted(body, T0);
  return {
    itemIdentifier: String(seq),
    entry: { postbackId: record.postbackId, trackingId, body: JSON.stringify(body), receivedAt: record.receivedAt, isLatest: true },
  };
}

/** `count` items of `count` different messages. */
function distinctMessages(count: number, from = 0): Array<BatchItem & { entry: StoredEntry }> {
  return Array.from({ length: count }, (_, i) => item(from + i, 'n101', `m-${from + i}-${randomUUID()}`));
}

function setUp(overrides: Partial<PublishEntriesDeps> & { timeoutMs?: number } = {}) {
  const time = new FakeTime(T0);
  const publisher = new InMemoryEventPublisher();
  const invocation = time.invocation(overrides.timeoutMs ?? 60_000);
  const observed: string[] = [];
  const publish = (items: readonly BatchItem[]) =>
    createPublishEntries({
      publisher,
      sleep: time.sleep,
      random: () => 0.5,
      hasTimeFor: (ms) => invocation.getRemainingTimeInMillis() - 5_000 > ms,
      observer: {
        retrying: (failed, attempt) => observed.push(`retrying ${failed} (attempt ${attempt})`),
        gaveUp: (id) => observed.push(`gave up at ${id}`),
        unbuildable: (it) => observed.push(`unbuildable ${it.itemIdentifier}`),
      },
      ...overrides,
    }).publish(items);
  return { time, publisher, publish, observed };
}

const postbackIds = (items: ReadonlyArray<{ entry: StoredEntry }>) => items.map((it) => it.entry.postbackId);

describe('the stream publisher use case', () => {
  it('publishes a batch in requests of at most 10 entries, in stream order, and reports no failure', async () => {
    const { publisher, publish, time } = setUp();
    const items = distinctMessages(25);

    const report = await publish(items);

    expect(report).toEqual({ published: 25, resent: 0, retried: 0 });
    expect(publisher.requests.map((r) => r.postbackIds.length)).toEqual([10, 10, 5]);
    expect(publisher.requests.flatMap((r) => r.postbackIds)).toEqual(postbackIds(items));
    expect(publisher.events.map((e) => e.detail.isLatest)).toEqual(Array(25).fill(true));
    expect(time.sleeps).toEqual([]);
  });

  it('cuts a request before it would pass 256 KB, counted as EventBridge counts entries', async () => {
    const { publisher, publish } = setUp();
    // Each postback carries about 60 KB (a field the spec does not list is kept, and `raw` holds it).
    const items = Array.from({ length: 6 }, (_, i) => item(i, 'n101', `big-${i}-${randomUUID()}`, { note: 'x'.repeat(60_000) }));

    const report = await publish(items);

    expect(report.published).toBe(6);
    expect(publisher.requests.map((r) => r.postbackIds.length)).toEqual([4, 2]);
    for (const request of publisher.requests) expect(request.bytes).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    expect(publisher.requests[0]?.bytes).toBeGreaterThan(MAX_REQUEST_BYTES - 70_000); // a fifth entry would not have fitted
  });

  it('retries only the entries PutEvents refused, with backoff, and reports no failure once they are out', async () => {
    const { publisher, publish, time, observed } = setUp();
    const items = distinctMessages(10);
    const refused = items[3]?.entry.postbackId;
    publisher.failEntries((event, request) => (event.record.postbackId === refused && request <= 2 ? 'ThrottlingException' : undefined));

    const report = await publish(items);

    expect(report).toEqual({ published: 10, resent: 0, retried: 2 });
    expect(publisher.requests.map((r) => r.postbackIds)).toEqual([postbackIds(items), [refused], [refused]]);
    // Exponential backoff with full jitter (random fixed at 0.5): 100 ms, then 200 ms caps.
    expect(time.sleeps).toEqual([50, 100]);
    expect(observed).toEqual(['retrying 1 (attempt 1)', 'retrying 1 (attempt 2)']);
    expect(publisher.events).toHaveLength(10);
  });

  it('retries a request that failed as a whole', async () => {
    const { publisher, publish } = setUp();
    publisher.failRequests(2);

    expect(await publish(distinctMessages(3))).toEqual({ published: 3, resent: 0, retried: 6 });
    expect(publisher.requests).toHaveLength(3);
  });

  it('reports the first record still failing after its retries, and counts the later records of its request as re-sent', async () => {
    const { publisher, publish, time, observed } = setUp({ maxAttempts: 4 });
    const items = distinctMessages(15);
    const refused = items[3]?.entry.postbackId;
    publisher.failEntries((event) => (event.record.postbackId === refused ? 'InternalFailure' : undefined));

    const report = await publish(items);

    // Lambda delivers the batch again from record 3 on: records 4..9 were published in the same request and will be sent again.
    expect(report).toEqual({ published: 9, failedFrom: '3', resent: 6, retried: 3 });
    expect(time.sleeps).toHaveLength(3);
    // Nothing after the failing request is sent (the second request of 5 never goes out).
    expect(publisher.requests).toHaveLength(4);
    expect(observed.at(-1)).toBe('gave up at 3');
  });

  it('stops retrying when the invocation has no time left for the next wait, well before its deadline', async () => {
    const { publisher, publish, time } = setUp({ timeoutMs: 8_000, maxAttempts: 100 });
    const items = distinctMessages(2);
    publisher.failEntries(() => 'ThrottlingException');

    const report = await publish(items);

    expect(report).toEqual({ published: 0, failedFrom: '0', resent: 0, retried: expect.any(Number) });
    const slept = time.sleeps.reduce((a, b) => a + b, 0);
    expect(slept).toBeLessThanOrEqual(8_000 - 5_000);
    expect(time.sleeps.length).toBeLessThan(100);
  });

  it('publishes the events of one message in the order its entries were stored: never two of one message in one request', async () => {
    const { publisher, publish } = setUp();
    const a = `a-${randomUUID()}`;
    const b = `b-${randomUUID()}`;
    const items = [
      item(0, 'n101', a, { timestamp: '2026-04-24T18:30:00Z' }),
      item(1, 'n101', b),
      item(2, 'n102', a, { timestamp: '2026-04-24T18:31:00Z' }),
      item(3, 'n102', a, { code: 'N103', status: 'Expired', timestamp: '2026-04-24T18:32:00Z' }),
      item(4, 'n102', b),
    ];

    await publish(items);

    expect(publisher.eventsFor(a).map((e) => e.detail.postbackId)).toEqual(postbackIds([items[0], items[2], items[3]] as typeof items));
    expect(publisher.eventsFor(b).map((e) => e.detail.postbackId)).toEqual(postbackIds([items[1], items[4]] as typeof items));
    for (const request of publisher.requests) expect(new Set(request.trackingIds).size).toBe(request.trackingIds.length);
    expect(publisher.requests.length).toBeLessThan(items.length); // still batched across messages
  });

  it('keeps the order of one message across batches when a batch is delivered again from its failed record', async () => {
    const { publisher, publish } = setUp({ maxAttempts: 2 });
    const a = `a-${randomUUID()}`;
    const items = [
      item(0, 'n101', a, { timestamp: '2026-04-24T18:30:00Z' }),
      ...distinctMessages(3, 1),
      item(4, 'n102', a, { timestamp: '2026-04-24T18:31:00Z' }),
      item(5, 'n102', a, { code: 'N103', status: 'Expired', timestamp: '2026-04-24T18:32:00Z' }),
    ];
    let failing = true;
    publisher.failEntries((event) => (failing && event.record.postbackId === items[4]?.entry.postbackId ? 'InternalFailure' : undefined));

    // Lambda's rule: the next invocation gets the batch again from the reported record on.
    const first = await publish(items);
    failing = false;
    const from = items.findIndex((it) => it.itemIdentifier === first.failedFrom);
    const second = await publish(items.slice(from));

    expect(first.failedFrom).toBe('4');
    expect(second.failedFrom).toBeUndefined();
    expect(publisher.eventsFor(a).map((e) => e.detail.postbackId)).toEqual(postbackIds([items[0], items[4], items[5]] as typeof items));
  });

  it('reports a record whose event cannot be built, after publishing the records before it', async () => {
    const { publisher, publish, observed } = setUp();
    const items: BatchItem[] = [
      ...distinctMessages(2),
      { itemIdentifier: '2', entry: new Error('the history entry has no body') },
      ...distinctMessages(2, 3),
    ];

    const report = await publish(items);

    expect(report).toEqual({ published: 2, failedFrom: '2', resent: 0, retried: 0 });
    expect(publisher.events).toHaveLength(2);
    expect(observed).toEqual(['unbuildable 2']);
  });

  it('never sends a request over the limits (10 entries), whatever the batch', async () => {
    const { publisher, publish } = setUp();
    await publish(distinctMessages(100));
    expect(Math.max(...publisher.requests.map((r) => r.postbackIds.length))).toBe(MAX_ENTRIES_PER_REQUEST);
  });
});
