/**
 * The status-unknown sweep's use case on the fakes of `test/fakes/` (the in-memory store and
 * due source, with the rules of the DynamoDB ones): it only writes (one synthetic entry and
 * state per message, in one transaction); the stream publishes.
 */
import { randomUUID } from 'node:crypto';
import type { WaitingMessage } from '../../../lambda/domain/status-unknown';
import type { StatusUnknownStore } from '../../../lambda/ports';
import { createStatusUnknownSweepRun } from '../../../lambda/status-unknown-sweep/status-unknown-sweep';
import { InMemoryPostbackStore } from '../../fakes/in-memory-postback-store';
import { InMemoryStatusDue } from '../../fakes/in-memory-status-due';
import { fixture, interpreted } from '../../helpers/fixtures';

const T0 = new Date('2026-04-24T18:30:00Z');
const HOUR = 3_600_000;

/** A message whose first postback (N101) is stored, waiting since T0, due an hour later. */
async function waitingMessage(store: InMemoryPostbackStore): Promise<WaitingMessage> {
  const trackingId = `w-${randomUUID()}`;
  const body = { ...fixture('n101'), 'tracking-id': trackingId };
  await store.save(interpreted(body, T0), JSON.stringify(body), T0);
  return { trackingId, to: (body as Record<string, unknown>).to as string, waitStartedAt: T0, dueAt: new Date(T0.getTime() + HOUR) };
}

function sweep(store: StatusUnknownStore, waiting: readonly WaitingMessage[], at: Date, options: { maxPerRun?: number } = {}) {
  const failed: string[] = [];
  const run = createStatusUnknownSweepRun({
    due: new InMemoryStatusDue(waiting),
    store,
    maxPerRun: options.maxPerRun ?? 100,
    pageSize: 2,
    clock: () => at,
    observer: { messageFailed: (trackingId) => failed.push(trackingId) },
  });
  return { run, failed };
}

describe('the status-unknown sweep use case', () => {
  it('writes one synthetic entry and state per due message, once, and nothing for a message not due yet', async () => {
    const store = new InMemoryPostbackStore();
    const due = [await waitingMessage(store), await waitingMessage(store), await waitingMessage(store)];
    const later = { ...(await waitingMessage(store)), dueAt: new Date(T0.getTime() + 5 * HOUR) };
    const inserted = store.inserted.length;

    const first = await sweep(store, [...due, later], new Date(T0.getTime() + 2 * HOUR)).run();
    const second = await sweep(store, [...due, later], new Date(T0.getTime() + 2 * HOUR)).run();

    expect(first).toEqual({ marked: 3, superseded: 0, alreadyDone: 0, failed: 0, more: false });
    expect(second).toEqual({ marked: 0, superseded: 0, alreadyDone: 3, failed: 0, more: false });
    // The inserts the stream carries to the publisher: one synthetic entry per due message, made latest.
    expect(store.inserted.slice(inserted).map((e) => [e.record.trackingId, e.record.detailType, e.isLatest])).toEqual(
      expect.arrayContaining(due.map((m) => [m.trackingId, 'MMS Status Unknown', true])),
    );
    expect(store.inserted).toHaveLength(inserted + 3);
    for (const m of due) expect(store.state(m.trackingId)?.record.code).toBe('UNKNOWN');
    expect(store.state(later.trackingId)?.record.code).toBe('N101');
  });

  it('leaves a message alone when a final postback got there first (superseded)', async () => {
    const store = new InMemoryPostbackStore();
    const message = await waitingMessage(store);
    const delivered = { ...fixture('n102'), 'tracking-id': message.trackingId };
    await store.save(interpreted(delivered, T0), JSON.stringify(delivered), T0);

    const result = await sweep(store, [message], new Date(T0.getTime() + 2 * HOUR)).run();

    expect(result).toMatchObject({ marked: 0, superseded: 1 });
    expect(store.state(message.trackingId)?.record.code).toBe('N102');
  });

  it('marks at most maxPerRun messages and says there may be more', async () => {
    const store = new InMemoryPostbackStore();
    const due = await Promise.all(Array.from({ length: 6 }, () => waitingMessage(store)));

    const result = await sweep(store, due, new Date(T0.getTime() + 2 * HOUR), { maxPerRun: 4 }).run();

    expect(result).toMatchObject({ marked: 4, more: true });
  });

  it('counts a failed write, tells which message, and goes on with the others', async () => {
    const store = new InMemoryPostbackStore();
    const [broken, fine] = [await waitingMessage(store), await waitingMessage(store)] as [WaitingMessage, WaitingMessage];
    const failing: StatusUnknownStore = {
      saveStatusUnknown: async (record, now, options) => {
        if (record.trackingId === broken.trackingId) throw new Error('DynamoDB is down');
        return store.saveStatusUnknown(record, now, options);
      },
    };

    const { run, failed } = sweep(failing, [broken, fine], new Date(T0.getTime() + 2 * HOUR));
    const result = await run();

    expect(result).toMatchObject({ marked: 1, failed: 1 });
    expect(failed).toEqual([broken.trackingId]);
  });
});
