/**
 * The rules every {@link PostbackStore} obeys, as jest cases run against a store under
 * test: the in-memory fake (unit tier, `in-memory-postback-store.test.ts`) and the DynamoDB
 * store on DynamoDB Local (integration tier, `dynamodb-store.integration.test.ts`). A rule
 * that one of them breaks fails in that one's run, so the fake cannot drift.
 *
 * Times are passed explicitly (the stores read no clock). Every case uses its own
 * tracking-id, so that the cases can share one table.
 */
import { randomUUID } from 'node:crypto';
import type { PostbackRecord } from '../../lambda/domain/postback';
import { statusUnknownRecord } from '../../lambda/domain/status-unknown';
import type { PostbackStore, StatusUnknownStore } from '../../lambda/ports';
import { type ExampleName, fixture, interpreted } from '../helpers/fixtures';

/** Builds the store under test; called once, before the cases. */
export type StoreUnderTest = () => Promise<PostbackStore & StatusUnknownStore>;

const T0 = new Date('2026-04-24T18:35:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** A postback of one of the provider's examples, interpreted as received at `receivedAt`. */
function recordOf(name: ExampleName, trackingId: string, extra: Record<string, unknown> = {}, receivedAt = T0): PostbackRecord {
  return interpreted({ ...fixture(name), 'tracking-id': trackingId, ...extra }, receivedAt);
}

const accepted = { outcome: 'stored', isLatest: true } as const;
const notLatest = { outcome: 'stored', isLatest: false } as const;

/**
 * Declares the contract's cases for one store.
 *
 * @example
 * describePostbackStoreContract('the in-memory store', async () => new InMemoryPostbackStore());
 */
export function describePostbackStoreContract(name: string, makeStore: StoreUnderTest): void {
  describe(`${name} obeys the postback store contract`, () => {
    let store: PostbackStore & StatusUnknownStore;
    beforeAll(async () => {
      store = await makeStore();
    });
    const newId = () => `contract-${randomUUID()}`;
    const save = (record: PostbackRecord, now = T0) => store.save(record, JSON.stringify(record.detail), now);
    const accept = save;

    describe('idempotency', () => {
      it('stores a new postback once: the same postback again is a duplicate, whenever it comes', async () => {
        const record = recordOf('n101', newId());
        expect(await save(record)).toEqual(accepted);
        expect(await save(record, at(1))).toEqual({ outcome: 'duplicate' });
        expect(await save(record, at(86_400))).toEqual({ outcome: 'duplicate' });
      });

      it('treats the same instant written with another offset as the same postback', async () => {
        const trackingId = newId();
        await accept(recordOf('n101', trackingId, { timestamp: '2026-04-24T18:30:00Z' }));
        expect(await save(recordOf('n101', trackingId, { timestamp: '2026-04-24T14:30:00-04:00' }))).toEqual({ outcome: 'duplicate' });
      });
    });

    describe('the latest-state rule', () => {
      it('keeps a final state when an earlier-ranked postback arrives late, and lets a final one replace a non-final one', async () => {
        const late = newId();
        expect(await accept(recordOf('n102', late))).toEqual(accepted);
        expect(await accept(recordOf('n101', late))).toEqual(notLatest);
        const inOrder = newId();
        expect(await accept(recordOf('n101', inOrder))).toEqual(accepted);
        expect(await accept(recordOf('n102', inOrder))).toEqual(accepted);
      });

      it('decides equal ranks by the later timestamp', async () => {
        const trackingId = newId();
        await accept(recordOf('n102', trackingId, { code: 'N103', status: 'Expired', timestamp: '2026-04-24T18:31:00Z' }));
        expect(await accept(recordOf('n102', trackingId, { timestamp: '2026-04-24T18:30:59Z' }))).toEqual(notLatest);
        expect(await accept(recordOf('n102', trackingId, { timestamp: '2026-04-24T18:32:00Z' }))).toEqual(accepted);
      });

      it.each([
        ['success first', ['N102', 'E101'], [true, true]],
        ['failure first', ['E101', 'N102'], [true, false]],
      ])(
        'decides equal rank and instant by the outcome, failure before success, whatever the order (%s)',
        async (_order, codes, latest) => {
          const trackingId = newId();
          const results = [];
          for (const code of codes) {
            const status = code === 'N102' ? 'Delivered' : 'Failed';
            results.push(await accept(recordOf('n102', trackingId, { code, status, timestamp: '2026-04-24T18:31:00Z' })));
          }
          expect(results).toEqual(latest.map((isLatest) => ({ outcome: 'stored', isLatest })));
        },
      );

      it('never makes an unrecognized code or a far-future timestamp the latest state, but keeps it in history', async () => {
        const trackingId = newId();
        const unknownCode = recordOf('n101', trackingId, { code: 'N555', status: 'Something new' });
        const farFuture = recordOf('n102', trackingId, { timestamp: '2026-04-26T18:35:00Z' });
        expect(await save(unknownCode)).toEqual(notLatest);
        expect(await save(farFuture)).toEqual(notLatest);
        expect(await save(unknownCode, at(1))).toEqual({ outcome: 'duplicate' });
        expect(await save(farFuture, at(1))).toEqual({ outcome: 'duplicate' });
        // Neither became the state: the first known postback does.
        expect(await accept(recordOf('n101', trackingId))).toEqual(accepted);
      });
    });

    describe('the synthetic status-unknown postback', () => {
      const waiting = (trackingId: string) => statusUnknownRecord({ trackingId, waitStartedAt: at(-259_200), dueAt: T0 }, at(1));

      it('is written only over a state that is not final, once, and a later real final postback supersedes it', async () => {
        const trackingId = newId();
        await accept(recordOf('n101', trackingId));
        const unknown = waiting(trackingId);

        expect(await store.saveStatusUnknown(unknown, at(1))).toEqual({ outcome: 'stored' });
        expect(await store.saveStatusUnknown(unknown, at(2))).toEqual({ outcome: 'duplicate' });
        expect(await accept(recordOf('n101', trackingId, { timestamp: '2026-04-24T18:40:00Z' }))).toEqual(notLatest);
        expect(await accept(recordOf('n102', trackingId))).toEqual(accepted);
      });

      it('is superseded by a final state, and by no state at all', async () => {
        const final = newId();
        await accept(recordOf('n102', final));
        expect(await store.saveStatusUnknown(waiting(final), at(1))).toEqual({ outcome: 'superseded' });
        expect(await store.saveStatusUnknown(waiting(newId()), at(1))).toEqual({ outcome: 'superseded' });
      });
    });
  });
}
