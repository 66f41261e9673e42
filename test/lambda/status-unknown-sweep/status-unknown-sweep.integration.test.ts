/**
 * The status-unknown sweep against DynamoDB Local, with the real ingest handler producing
 * the waiting messages and the real publisher publishing from the table's stream on a
 * loopback EventBridge: one synthetic event per message, never twice (second run,
 * concurrent runs), and never over a final postback (race). The sweep only writes.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_UNKNOWN } from '../../../lambda/domain/catalog';
import { statusUnknownRecord } from '../../../lambda/domain/status-unknown';
import type { DuePage, StatusDueSource, StatusUnknownStore } from '../../../lambda/ports';
import {
  createStatusUnknownSweep,
  defaultSweepDeps,
  type SweepResult,
} from '../../../lambda/status-unknown-sweep/status-unknown-sweep-handler-factory';
import { ATTRIBUTE } from '../../../lambda/table/attributes';
import { STATUS_DUE } from '../../../lambda/table/table-definition';
import { detailValidators } from '../../helpers/detail-validators';
import { fixture } from '../../helpers/fixtures';
import { type IngestHarness, startIngestHarness } from '../../helpers/ingest-harness';
import { lambdaContext } from '../../helpers/lambda-context';

const WAIT_SECONDS = 3600;
let h: IngestHarness;
beforeAll(async () => {
  h = await startIngestHarness({ STATUS_UNKNOWN_AFTER_SECONDS: String(WAIT_SECONDS) });
});
afterAll(() => h.close());

/** A sweep on the harness's table and bus whose clock reads `offsetSeconds` from now; optionally with a changed due source. */
function sweepAt(offsetSeconds: number, wrapDue?: (due: StatusDueSource) => StatusDueSource) {
  const deps = defaultSweepDeps({
    ...process.env,
    TABLE_NAME: h.table.tableName,
    EVENT_BUS_NAME: 'test-bus',
    STATUS_UNKNOWN_AFTER_SECONDS: String(WAIT_SECONDS),
    SWEEP_PAGE_SIZE: '3', // several pages per shard with few messages
  });
  const handler = createStatusUnknownSweep({
    ...deps,
    due: wrapDue ? wrapDue(deps.due) : deps.due,
    clock: () => new Date(Date.now() + offsetSeconds * 1000),
  });
  return () => handler({}, lambdaContext()) as Promise<SweepResult>;
}
const AFTER_THE_WAIT = WAIT_SECONDS + 60;

const newId = () => `s-${randomUUID()}`;
const send = (name: 'n101' | 'n102' | 'e102', trackingId: string) => h.postUntilDone({ ...fixture(name), 'tracking-id': trackingId });
const unknownEvents = async (trackingId: string) =>
  (await h.eventsFor(trackingId)).filter((e) => e.detailType === STATUS_UNKNOWN.detailType);

const dueIndexEntries = async (trackingId: string) => (await h.indexEntriesFor(STATUS_DUE, trackingId)).length;

describe('a message with no final postback', () => {
  it('gets exactly one MMS Status Unknown event and state once its wait is over; a later final postback supersedes it', async () => {
    const trackingId = newId();
    const sent = await send('n101', trackingId);
    expect(sent.body.result).toBe('accepted');
    expect(await dueIndexEntries(trackingId)).toBe(1);

    await sweepAt(WAIT_SECONDS - 60)();
    expect(await unknownEvents(trackingId)).toHaveLength(0);

    const first = await sweepAt(AFTER_THE_WAIT)();
    const second = await sweepAt(AFTER_THE_WAIT)();

    expect(first.marked).toBeGreaterThanOrEqual(1);
    expect(first.failed + second.failed).toBe(0);
    const events = await unknownEvents(trackingId);
    expect(events).toHaveLength(1);
    const detail = events[0]!.detail;
    expect(detailValidators[STATUS_UNKNOWN.detailType](detail)).toBe(true);
    expect(detail).toMatchObject({
      trackingId,
      code: 'UNKNOWN',
      outcome: 'unknown',
      final: true,
      isLatest: true,
      synthetic: true,
      to: fixture('n101').to,
      clientReference: fixture('n101')['client-reference'],
    });
    expect(detail).not.toHaveProperty('raw');
    const state = await h.state(trackingId);
    expect(state).toMatchObject({ code: 'UNKNOWN', detailType: 'MMS Status Unknown', [ATTRIBUTE.catalogRank]: 1.5, synthetic: true });
    expect(state?.waitStartedAt).toBe((await h.history(trackingId))[0]?.receivedAt);
    expect(Date.parse(detail.timestamp as string) - Date.parse(detail.waitStartedAt as string)).toBe(WAIT_SECONDS * 1000);
    expect(await dueIndexEntries(trackingId)).toBe(0);
    expect((await h.history(trackingId)).map((entry) => [entry.code, entry[ATTRIBUTE.isLatest]])).toEqual([
      ['N101', true],
      ['UNKNOWN', true],
    ]);

    const delivered = await send('n102', trackingId);

    expect(delivered.body).toMatchObject({ result: 'accepted', latest: true });
    expect((await h.eventsFor(trackingId)).map((e) => [e.detailType, e.detail.isLatest])).toEqual([
      ['MMS Sent', true],
      ['MMS Status Unknown', true],
      ['MMS Delivered', true],
    ]);
    const final = await h.state(trackingId);
    expect(final).toMatchObject({ code: 'N102', outcome: 'success' });
    expect(final).not.toHaveProperty('synthetic');
    expect(final).not.toHaveProperty('waitStartedAt');
  });

  it('gets nothing when a final postback came in time', async () => {
    const trackingId = newId();
    await send('n101', trackingId);
    await send('e102', trackingId);
    expect(await dueIndexEntries(trackingId)).toBe(0);

    await sweepAt(AFTER_THE_WAIT)();

    expect(await unknownEvents(trackingId)).toHaveLength(0);
    expect(await h.state(trackingId)).toMatchObject({ code: 'E102' });
  });

  it('only writes: its synthetic entry is published from the stream, also when EventBridge failed meanwhile', async () => {
    const trackingId = newId();
    await send('n101', trackingId);
    await h.publishFromStream();
    h.bus.injectFault('http500', 1_000); // every PutEvents fails until cleared
    const requestsBefore = h.bus.requestCount;

    const swept = await sweepAt(AFTER_THE_WAIT)();

    expect(swept).toMatchObject({ marked: expect.any(Number), failed: 0 });
    expect(h.bus.requestCount).toBe(requestsBefore); // the sweep itself never calls EventBridge
    await expect(h.publishFromStream()).rejects.toThrow(/still reports/);
    h.bus.clearFaults();
    const events = await unknownEvents(trackingId);
    expect(events).toHaveLength(1);
    expect(events[0]!.detail).toMatchObject({ trackingId, code: STATUS_UNKNOWN.code, synthetic: true, isLatest: true });
    expect(detailValidators[STATUS_UNKNOWN.detailType](events[0]!.detail)).toBe(true);
  });

  it('writes nothing when the same synthetic postback is saved again (deterministic id)', async () => {
    const trackingId = newId();
    await send('n101', trackingId);
    await sweepAt(AFTER_THE_WAIT)();
    const waitStartedAt = new Date((await h.history(trackingId))[0]!.receivedAt as string);
    const record = statusUnknownRecord(
      { trackingId, waitStartedAt, dueAt: new Date(waitStartedAt.getTime() + WAIT_SECONDS * 1000) },
      new Date(),
    );
    const before = await h.history(trackingId);

    const again = await h.store().saveStatusUnknown(record, new Date());

    expect(again).toEqual({ outcome: 'duplicate' });
    expect(await h.history(trackingId)).toEqual(before);
    expect(await unknownEvents(trackingId)).toHaveLength(1);
  });

  it('is declared unknown once by two concurrent sweeps', async () => {
    const ids = [newId(), newId(), newId(), newId(), newId()];
    for (const id of ids) await send('n101', id);

    const results = await Promise.all([sweepAt(AFTER_THE_WAIT)(), sweepAt(AFTER_THE_WAIT)()]);

    for (const id of ids) expect(await unknownEvents(id)).toHaveLength(1);
    expect(results.every((r) => r.failed === 0)).toBe(true);
  });

  it('is left alone when its final postback lands between the sweep reading it and writing (nothing written, no event)', async () => {
    const trackingId = newId();
    await send('n101', trackingId);
    // A due source that lets the final postback arrive after the page was read: the race window.
    const racing = (due: StatusDueSource): StatusDueSource => ({
      async duePage(shard, now, limit, startKey): Promise<DuePage> {
        const page = await due.duePage(shard, now, limit, startKey);
        if (page.messages.some((m) => m.trackingId === trackingId)) await send('n102', trackingId);
        return page;
      },
    });

    const result = await sweepAt(AFTER_THE_WAIT, racing)();

    expect(result.superseded).toBeGreaterThanOrEqual(1);
    expect(await unknownEvents(trackingId)).toHaveLength(0);
    expect(await h.state(trackingId)).toMatchObject({ code: 'N102' });
    expect((await h.history(trackingId)).map((entry) => entry.code)).toEqual(['N101', 'N102']);
  });

  it('races concurrent final postbacks without losing one: the final postback is always the latest state and published once', async () => {
    const ids = Array.from({ length: 8 }, newId);
    for (const id of ids) await send('n101', id);

    await Promise.all([sweepAt(AFTER_THE_WAIT)(), ...ids.map((id) => send('n102', id))]);

    for (const id of ids) {
      expect(await h.state(id)).toMatchObject({ code: 'N102' });
      const delivered = (await h.eventsFor(id)).filter((e) => e.detailType === 'MMS Delivered');
      expect(delivered).toHaveLength(1);
      expect(delivered[0]!.detail.isLatest).toBe(true);
      expect((await unknownEvents(id)).length).toBeLessThanOrEqual(1);
    }
  });
});

describe('the run budget', () => {
  it('writes at most SWEEP_MAX_PER_RUN messages although the shards write concurrently, each with one "now" and a deadline', async () => {
    const ids = Array.from({ length: 10 }, newId); // spread over several of the 16 shards
    for (const id of ids) await send('n101', id);
    const deps = defaultSweepDeps({
      ...process.env,
      TABLE_NAME: h.table.tableName,
      EVENT_BUS_NAME: 'test-bus',
      STATUS_UNKNOWN_AFTER_SECONDS: String(WAIT_SECONDS),
      SWEEP_MAX_PER_RUN: '2',
    });
    const claims: { receivedAt: string; now: string; deadline: boolean }[] = [];
    // A slow claim: every shard with a due message is claiming at the same time.
    const slowStore: StatusUnknownStore = {
      async saveStatusUnknown(record, now, options) {
        claims.push({ receivedAt: record.receivedAt, now: now.toISOString(), deadline: options?.abortSignal !== undefined });
        await new Promise((resolve) => setTimeout(resolve, 100));
        return deps.store.saveStatusUnknown(record, now, options);
      },
    };
    let tick = 0; // a clock that moves on every read
    const sweep = createStatusUnknownSweep({
      ...deps,
      store: slowStore,
      clock: () => new Date(Date.now() + AFTER_THE_WAIT * 1000 + tick++),
    });

    const result = (await sweep({}, lambdaContext())) as SweepResult;

    expect(result).toMatchObject({ marked: 2, failed: 0, more: true });
    expect(claims.length).toBeGreaterThanOrEqual(2);
    for (const claim of claims) expect(claim).toEqual({ receivedAt: claim.now, now: claim.now, deadline: true });

    await sweepAt(AFTER_THE_WAIT)(); // the next run takes the rest
    for (const id of ids) expect(await unknownEvents(id)).toHaveLength(1);
  });
});
