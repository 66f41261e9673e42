/**
 * Unit tests of the ingest use case (claim, publish, mark published) on the in-memory
 * store and publisher, with the sleep and the invocation's time on a fake clock: the
 * mark-published retry policy runs in microseconds and its delays are asserted.
 */
import { randomUUID } from 'node:crypto';
import type { PostbackRecord } from '../../../lambda/domain/postback';
import { createIngestPostback } from '../../../lambda/ingest/ingest-postback';
import type { PublicationObserver } from '../../../lambda/ingest/publication';
import { FakeTime } from '../../fakes/fake-time';
import { faultyStore } from '../../fakes/faulty-store';
import { InMemoryEventPublisher } from '../../fakes/in-memory-event-publisher';
import { InMemoryPostbackStore } from '../../fakes/in-memory-postback-store';
import { type ExampleName, fixture, interpreted } from '../../helpers/fixtures';

/** The function's default timeout. */
const TIMEOUT_MS = 10_000;
/** The retry policy's delays, 100 ms doubling, 6 retries. */
const ALL_DELAYS = [100, 200, 400, 800, 1600, 3200];

/** Everything the observer was told, in order. */
type Report = [string, ...unknown[]];

function setUp(options: { markPublishedFailures?: number; releaseFails?: boolean } = {}) {
  const time = new FakeTime();
  const fake = new InMemoryPostbackStore({ leaseSeconds: 60 });
  const publisher = new InMemoryEventPublisher();
  const reports: Report[] = [];
  const observer: PublicationObserver = {
    publishFailed: (error) => reports.push(['publishFailed', (error as Error).message]),
    releaseFailed: (error) => reports.push(['releaseFailed', (error as Error).message]),
    markPublishedRetrying: (error, attempt) => reports.push(['markPublishedRetrying', (error as Error).message, attempt]),
    markPublishedAbandoned: (error, attempts) => reports.push(['markPublishedAbandoned', (error as Error).message, attempts]),
  };
  // The fake store, whose writes fail as the test says (a DynamoDB fault right after PutEvents, a failing release).
  const store = faultyStore(fake, options);
  const calls = store.calls;
  const ingest = createIngestPostback({ store, publisher, observer, sleep: time.sleep });
  const run = (record: PostbackRecord, timeoutMs = TIMEOUT_MS) =>
    ingest({ record, rawBody: JSON.stringify(record.detail), receivedAt: time.now() }, time.invocation(timeoutMs));
  const recordOf = (name: ExampleName, extra: Record<string, unknown> = {}) =>
    interpreted({ ...fixture(name), 'tracking-id': `t-${randomUUID()}`, ...extra }, time.now());
  return { time, fake, publisher, reports, calls, run, recordOf };
}

describe('the ingest use case', () => {
  it('claims a new postback, publishes its event with the isLatest of the claim, and marks it published', async () => {
    const { fake, publisher, reports, run, recordOf, time } = setUp();
    const record = recordOf('n102');

    const outcome = await run(record);

    expect(outcome).toEqual({ outcome: 'accepted', isLatest: true, markedPublished: true });
    expect(publisher.events).toEqual([{ detailType: 'MMS Delivered', detail: { ...record.detail, isLatest: true } }]);
    expect(fake.entry(record)).toMatchObject({ published: true, isLatest: true });
    expect(fake.state(record.trackingId)?.record.postbackId).toBe(record.postbackId);
    expect(reports).toEqual([]);
    expect(time.sleeps).toEqual([]);
  });

  it('publishes a postback that does not become the latest state with isLatest false', async () => {
    const { publisher, run, recordOf } = setUp();
    const delivered = recordOf('n102');
    await run(delivered);
    const late = recordOf('n101', { 'tracking-id': delivered.trackingId });

    expect(await run(late)).toEqual({ outcome: 'accepted', isLatest: false, markedPublished: true });
    expect(publisher.eventsFor(delivered.trackingId).map((e) => [e.detailType, e.detail.isLatest])).toEqual([
      ['MMS Delivered', true],
      ['MMS Sent', false],
    ]);
  });

  it('answers duplicate for a published postback, and in_progress while another claim holds it, publishing nothing', async () => {
    const { fake, publisher, run, recordOf, time } = setUp();
    const record = recordOf('n101');
    await run(record);
    expect(await run(record)).toEqual({ outcome: 'duplicate' });

    const held = recordOf('n101');
    await fake.claim(held, '{}', time.now());
    expect(await run(held)).toEqual({ outcome: 'in_progress' });
    expect(publisher.events).toHaveLength(1);
  });

  it('reports a failed claim as store_failed, with the error, and publishes nothing', async () => {
    const { publisher, recordOf, time } = setUp();
    const failing = new InMemoryPostbackStore();
    const fault = new Error('DynamoDB unreachable');
    failing.claim = async () => {
      throw fault;
    };
    const ingest = createIngestPostback({ store: failing, publisher, observer: silentObserver(), sleep: time.sleep });
    const record = recordOf('n101');

    const outcome = await ingest({ record, rawBody: '{}', receivedAt: time.now() }, time.invocation(TIMEOUT_MS));

    expect(outcome).toEqual({ outcome: 'store_failed', error: fault });
    expect(publisher.events).toEqual([]);
  });

  it('gives the lease up when the publish fails, so that the retry proceeds at once and publishes once', async () => {
    const { fake, publisher, reports, run, recordOf, time } = setUp();
    const record = recordOf('n102');
    publisher.failNext(1);

    const failed = await run(record);

    expect(failed).toEqual({ outcome: 'publish_failed', error: new Error('PutEvents failed (injected)') });
    expect(reports).toEqual([['publishFailed', 'PutEvents failed (injected)']]);
    expect(fake.entry(record)).toMatchObject({ published: false, leaseExpiresAt: 0 });
    time.advance(1000);
    expect(await run(record)).toEqual({ outcome: 'accepted', isLatest: true, markedPublished: true });
    expect(publisher.events).toHaveLength(1);
  });

  it('reports a failed release after a failed publish, and still reports the publish failure', async () => {
    const { reports, publisher, run, recordOf } = setUp({ releaseFails: true });
    publisher.failNext(1);

    expect((await run(recordOf('n101'))).outcome).toBe('publish_failed');
    expect(reports).toEqual([
      ['publishFailed', 'PutEvents failed (injected)'],
      ['releaseFailed', 'injected DynamoDB fault in release'],
    ]);
  });
});

describe('the mark-published retry policy', () => {
  it('retries after 100, 200 and 400 ms until the write succeeds, so that a copy is a duplicate, not a second event', async () => {
    const { fake, publisher, reports, calls, run, recordOf, time } = setUp({ markPublishedFailures: 3 });
    const record = recordOf('n101');

    const outcome = await run(record);

    expect(outcome).toEqual({ outcome: 'accepted', isLatest: true, markedPublished: true });
    expect(time.sleeps).toEqual([100, 200, 400]);
    expect(calls.markPublished).toBe(4);
    expect(reports).toEqual([1, 2, 3].map((attempt) => ['markPublishedRetrying', 'injected DynamoDB fault', attempt]));
    expect(fake.entry(record)?.published).toBe(true);
    expect(await run(record)).toEqual({ outcome: 'duplicate' });
    expect(publisher.events).toHaveLength(1);
  });

  it('gives up after 6 retries (100 ms doubling, 6.3 s in all) and still answers accepted: the event is out', async () => {
    const { fake, publisher, reports, calls, run, recordOf, time } = setUp({ markPublishedFailures: 100 });
    const record = recordOf('n101');

    const outcome = await run(record);

    expect(outcome).toEqual({ outcome: 'accepted', isLatest: true, markedPublished: false });
    expect(time.sleeps).toEqual(ALL_DELAYS);
    expect(calls.markPublished).toBe(7);
    expect(reports.at(-1)).toEqual(['markPublishedAbandoned', 'injected DynamoDB fault', 7]);
    expect(reports.filter(([kind]) => kind === 'markPublishedRetrying')).toHaveLength(6);
    expect(publisher.events).toHaveLength(1);
    // The entry stays unpublished under its lease: a copy waits (503), and takes it over after the lease.
    expect(fake.entry(record)?.published).toBe(false);
    expect(await run(record)).toEqual({ outcome: 'in_progress' });
    time.advance(60_000);
    expect((await run(record)).outcome).toBe('accepted');
  });

  it('stops retrying when the invocation has no time left for the next delay and one more attempt', async () => {
    // 1.5 s left, 1 s of it reserved for the answer: 100 ms, then 200 ms (200 + 200 fit in the 400 left), then no more.
    const { reports, calls, run, recordOf, time } = setUp({ markPublishedFailures: 100 });

    const outcome = await run(recordOf('n101'), 1_500);

    expect(outcome).toMatchObject({ outcome: 'accepted', markedPublished: false });
    expect(time.sleeps).toEqual([100, 200]);
    expect(calls.markPublished).toBe(3);
    expect(reports.at(-1)).toEqual(['markPublishedAbandoned', 'injected DynamoDB fault', 3]);
  });
});

function silentObserver(): PublicationObserver {
  const ignore = () => undefined;
  return { publishFailed: ignore, releaseFailed: ignore, markPublishedRetrying: ignore, markPublishedAbandoned: ignore };
}
