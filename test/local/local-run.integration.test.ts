/**
 * The local run's outbox path, in process: a postback is answered 200 as soon as it is stored,
 * and its event comes from the table's stream through the unmodified publisher handler. The
 * local EventBridge is made to fail (the stand-in's injected faults: every PutEvents entry
 * answered failed) for longer than the publisher's own retries: the mapping retries the batch,
 * and the event arrives, once, after EventBridge recovers.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENV } from '../../lambda/config-contract';
import { loadExample } from '../../local/examples';
import { LocalRun } from '../../local/local-run';
import type { InvocationReport } from '../../local/stream-poller';
import { sleep, until } from '../helpers/until';

jest.setTimeout(120_000);

const SECRET = 'local-run-secret';

describe('local run: events from the stream', () => {
  let localRun: LocalRun;
  let localDir: string;
  const invocations: InvocationReport[] = [];

  beforeAll(async () => {
    localDir = mkdtempSync(path.join(os.tmpdir(), 'local-run-'));
    localRun = new LocalRun({
      port: 0,
      localDir,
      secret: SECRET,
      tableName: 'local-run',
      eventBusName: 'local-run-bus',
      eventSource: 'mms.postbacks',
      statusUnknownAfterSeconds: 0,
      // The mapping's retries, quicker than the default pause (1 s doubling).
      stream: { retryDelayMs: () => 200 },
      onPublisherInvoke: (report) => invocations.push(report),
    });
    expect(await localRun.start()).toBe(true);
  });

  it("loads each function with its own environment and leaves none of it in the process's (the secret is the ingest's alone)", () => {
    expect(process.env[ENV.secretValue]).toBeUndefined();
    expect(process.env[ENV.tableName]).toBeUndefined();
    expect(process.env[ENV.eventBusName]).toBeUndefined();
  });
  afterAll(async () => {
    await localRun?.stop();
    rmSync(localDir, { recursive: true, force: true });
  });

  const send = async (body: unknown) => {
    const res = await fetch(`${localRun.api?.url}/postbacks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-postback-token': SECRET },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { result?: string; postbackId?: string } };
  };
  const eventsOf = (postbackId: string | undefined) =>
    (localRun.eb?.events ?? []).filter((e) => (e.detail as { postbackId?: string }).postbackId === postbackId);

  it('publishes a stored postback from the stream, once', async () => {
    const answer = await send(loadExample('n101', { 'tracking-id': `lr-${randomUUID().slice(0, 8)}` }));
    expect(answer).toEqual({ status: 200, body: expect.objectContaining({ result: 'accepted' }) });
    await until('the event', () => eventsOf(answer.body.postbackId).length > 0, 60_000);
    await sleep(1500);
    expect(eventsOf(answer.body.postbackId)).toEqual([expect.objectContaining({ detailType: 'MMS Sent', eventBusName: 'local-run-bus' })]);
  });

  it('answers 200 while EventBridge fails, and the events arrive once it recovers', async () => {
    const eb = localRun.eb;
    if (!eb) throw new Error('no local EventBridge');
    eb.injectFault('partial', 10_000); // every PutEvents fails, until cleared
    const failedBefore = invocations.filter((i) => i.outcome !== 'ok').length;
    const trackingId = `lr-fail-${randomUUID().slice(0, 8)}`;
    const first = await send(loadExample('n101', { 'tracking-id': trackingId }));
    const second = await send(loadExample('n102', { 'tracking-id': trackingId }));
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.body.result, second.body.result]).toEqual(['accepted', 'accepted']);
    // The publisher gave up inside its invocation and reported the batch failed: the mapping retries it.
    await until('a failed invocation of the publisher', () => invocations.filter((i) => i.outcome !== 'ok').length > failedBefore, 60_000);
    expect(eventsOf(first.body.postbackId)).toEqual([]);
    eb.clearFaults();
    await until('both events', () => eventsOf(first.body.postbackId).length > 0 && eventsOf(second.body.postbackId).length > 0, 60_000);
    await sleep(1500);
    expect(eventsOf(first.body.postbackId)).toHaveLength(1);
    expect(eventsOf(second.body.postbackId)).toHaveLength(1);
    // In the order they were stored.
    const order = (localRun.eb?.events ?? []).map((e) => (e.detail as { postbackId?: string }).postbackId);
    expect(order.indexOf(first.body.postbackId)).toBeLessThan(order.indexOf(second.body.postbackId));
    expect(localRun.poller?.stats.recordsDiscarded).toBe(0);
  });
});
