/**
 * Unit tests of the ingest use case (one DynamoDB transaction; the event follows from the
 * table's stream) on the in-memory store of `test/fakes/`.
 */
import { randomUUID } from 'node:crypto';
import type { PostbackRecord } from '../../../lambda/domain/postback';
import { createIngestPostback } from '../../../lambda/ingest/ingest-postback';
import type { PostbackStore, SaveResult } from '../../../lambda/ports';
import { FakeTime } from '../../fakes/fake-time';
import { InMemoryPostbackStore } from '../../fakes/in-memory-postback-store';
import { type ExampleName, fixture, interpreted } from '../../helpers/fixtures';

function setUp(store?: Pick<PostbackStore, 'save'>) {
  const time = new FakeTime();
  const fake = new InMemoryPostbackStore();
  const ingest = createIngestPostback({ store: store ?? fake });
  const run = (record: PostbackRecord) =>
    ingest({ record, rawBody: JSON.stringify(record.detail), receivedAt: time.now() }, time.invocation(10_000));
  const trackingId = `t-${randomUUID()}`;
  const recordOf = (name: ExampleName, extra: Record<string, unknown> = {}) =>
    interpreted({ ...fixture(name), 'tracking-id': trackingId, ...extra }, time.now());
  return { fake, run, recordOf, trackingId };
}

describe('the ingest use case', () => {
  it('stores a new postback (history entry and latest state) and answers accepted with the isLatest of the transaction', async () => {
    const { fake, run, recordOf, trackingId } = setUp();
    const record = recordOf('n102');

    expect(await run(record)).toEqual({ outcome: 'accepted', isLatest: true });
    expect(fake.entry(record)).toMatchObject({ isLatest: true, rawBody: JSON.stringify(record.detail) });
    expect(fake.state(trackingId)?.record.postbackId).toBe(record.postbackId);
    // One insert: what the table's stream carries to the publisher.
    expect(fake.inserted).toHaveLength(1);
  });

  it('answers duplicate for a postback already stored and writes nothing (the stream carries nothing new)', async () => {
    const { fake, run, recordOf } = setUp();
    const record = recordOf('n101');
    await run(record);

    expect(await run(record)).toEqual({ outcome: 'duplicate' });
    expect(fake.inserted).toHaveLength(1);
  });

  it('stores a late postback of lower rank in history only: accepted, not latest', async () => {
    const { fake, run, recordOf, trackingId } = setUp();
    const delivered = recordOf('n102');
    await run(delivered);

    expect(await run(recordOf('n101'))).toEqual({ outcome: 'accepted', isLatest: false });
    expect(fake.state(trackingId)?.record.postbackId).toBe(delivered.postbackId);
    expect(fake.history(trackingId)).toHaveLength(2);
  });

  it('passes a transaction conflict on (the sender retries) and turns a store failure into store_failed', async () => {
    const conflict: SaveResult = { outcome: 'conflict' };
    const conflicting = setUp({ save: async () => conflict });
    expect(await conflicting.run(conflicting.recordOf('n101'))).toEqual({ outcome: 'conflict' });

    const error = new Error('DynamoDB is down');
    const failing = setUp({
      save: async () => {
        throw error;
      },
    });
    expect(await failing.run(failing.recordOf('n101'))).toEqual({ outcome: 'store_failed', error });
  });
});
