import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventBridgeClient, ListRulesCommand, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { type EventBridgeLocal, type RecordedEvent, startEventBridgeLocal } from '../../local/eventbridge-local';

/** The handler's way: the endpoint comes only from AWS_ENDPOINT_URL_EVENTBRIDGE. */
function sdkClient(maxAttempts?: number): EventBridgeClient {
  return new EventBridgeClient(maxAttempts ? { maxAttempts } : {});
}

const entry = (overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  Source: 'mms.postbacks',
  DetailType: 'MMS Delivered',
  Detail: JSON.stringify({ trackingId: 'abc123xyz', code: 'N102', isLatest: true }),
  EventBusName: 'local-bus',
  ...overrides,
});

describe('local EventBridge through the real SDK client', () => {
  let eb: EventBridgeLocal;
  let dir: string;
  const seen: RecordedEvent[] = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'eb-local-'));
    eb = await startEventBridgeLocal({ eventsFile: path.join(dir, 'sub', 'events.jsonl'), onEvent: (e) => seen.push(e) });
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = eb.endpoint;
    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
  });
  afterAll(async () => {
    process.env = saved;
    await eb.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    eb.reset();
    seen.length = 0;
  });

  it('records the events of a PutEvents call and answers their ids', async () => {
    const client = sdkClient();
    const time = new Date('2026-04-24T18:31:10Z');

    const out = await client.send(
      new PutEventsCommand({ Entries: [entry({ Time: time, Resources: ['arn:x'] }), entry({ DetailType: 'MMS Sent' })] }),
    );

    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries).toHaveLength(2);
    expect(eb.events.map((e) => e.eventId)).toEqual(out.Entries?.map((e) => e.EventId));
    expect(eb.events[0]).toMatchObject({
      source: 'mms.postbacks',
      detailType: 'MMS Delivered',
      eventBusName: 'local-bus',
      time: '2026-04-24T18:31:10.000Z',
      resources: ['arn:x'],
      detail: { trackingId: 'abc123xyz', code: 'N102', isLatest: true },
    });
    expect(seen).toEqual(eb.events);
    const lines = readFileSync(path.join(dir, 'sub', 'events.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.slice(-2).map((l) => JSON.parse(l))).toEqual(eb.events);
    expect(eb.requestCount).toBe(1);
    client.destroy();
  });

  it('http500: a 500 error; the SDK retries, so one fault is absorbed and three fail the call', async () => {
    const client = sdkClient();

    eb.injectFault('http500');
    const retried = await client.send(new PutEventsCommand({ Entries: [entry()] }));
    expect(retried.FailedEntryCount).toBe(0);
    expect(eb.requestCount).toBe(2);

    eb.reset();
    eb.injectFault('http500', 3);
    await expect(client.send(new PutEventsCommand({ Entries: [entry()] }))).rejects.toMatchObject({
      name: 'InternalException',
      $metadata: { httpStatusCode: 500 },
    });
    expect(eb.requestCount).toBe(3);
    expect(eb.events).toHaveLength(0);
    client.destroy();
  });

  it('partial: every entry fails with InternalFailure and nothing is recorded', async () => {
    const client = sdkClient();
    eb.injectFault('partial');

    const out = await client.send(new PutEventsCommand({ Entries: [entry(), entry()] }));

    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries?.every((e) => e.ErrorCode === 'InternalFailure' && !e.EventId)).toBe(true);
    expect(eb.events).toHaveLength(0);
    const next = await client.send(new PutEventsCommand({ Entries: [entry()] }));
    expect(next.FailedEntryCount).toBe(0);
    client.destroy();
  });

  it('drop: the connection is closed without an answer', async () => {
    const client = sdkClient(1);
    eb.injectFault('drop');

    await expect(client.send(new PutEventsCommand({ Entries: [entry()] }))).rejects.toThrow(/socket hang up/);

    expect(eb.events).toHaveLength(0);
    expect(eb.requestCount).toBe(1);
    client.destroy();
  });

  it('clearFaults forgets pending faults', async () => {
    const client = sdkClient(1);
    eb.injectFault('http500', 5);
    eb.clearFaults();

    const out = await client.send(new PutEventsCommand({ Entries: [entry()] }));

    expect(out.FailedEntryCount).toBe(0);
    client.destroy();
  });

  it('fails invalid entries with the real error codes and keeps the valid ones', async () => {
    const client = sdkClient();

    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          entry({ Detail: undefined }),
          entry({ Detail: 'not json' }),
          entry({ Detail: '[1,2]' }),
          entry({ Source: undefined }),
          entry({ DetailType: undefined }),
          entry(),
        ],
      }),
    );

    expect(out.FailedEntryCount).toBe(5);
    expect(out.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
      'InvalidArgument',
      'InvalidArgument',
      'ok',
    ]);
    expect(eb.events).toHaveLength(1);
    client.destroy();
  });

  it('refuses more than 10 entries and entries over 256 KB as a whole request', async () => {
    const client = sdkClient();

    await expect(client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry()) }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    const big = JSON.stringify({ blob: 'x'.repeat(256 * 1024) });
    await expect(client.send(new PutEventsCommand({ Entries: [entry({ Detail: big })] }))).rejects.toMatchObject({
      name: 'ValidationException',
    });

    expect(eb.events).toHaveLength(0);
    client.destroy();
  });

  it('answers other operations with UnknownOperationException', async () => {
    const client = sdkClient();

    await expect(client.send(new ListRulesCommand({}))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      $metadata: { httpStatusCode: 400 },
    });
    client.destroy();
  });
});
