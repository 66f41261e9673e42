/**
 * The EventBridge adapter: one PutEvents request per batch, the entry as the receiver's
 * events are defined (Source, DetailType, Time = the postback's timestamp, Detail), and one
 * result per entry from PutEvents' answer, which reports a partial failure per entry with
 * HTTP 200 (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html).
 */
import { PutEventsCommand, type PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '../../../lambda/adapters/eventbridge-publisher';
import type { OutgoingEvent } from '../../../lambda/ports';
import { putEventsEntrySize } from '../../../lambda/put-events-limits';
import { fixture, interpreted } from '../../helpers/fixtures';

const record = interpreted({ ...fixture('n102'), 'tracking-id': 'abc' }, new Date('2026-04-24T18:35:00Z'));
const event: OutgoingEvent = { record, detail: { ...record.detail, isLatest: true } as OutgoingEvent['detail'] };

function clientAnswering(output: Partial<PutEventsCommandOutput>) {
  const sent: PutEventsCommand[] = [];
  return {
    sent,
    client: {
      send: async (command: PutEventsCommand) => {
        sent.push(command);
        return { $metadata: { requestId: 'req-1' }, ...output } as PutEventsCommandOutput;
      },
    } as never,
  };
}

describe('EventBridgePublisher', () => {
  it('sends one request with one entry per event and reads one result per entry', async () => {
    const { client, sent } = clientAnswering({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'e-1' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }],
    });
    const publisher = new EventBridgePublisher({ client, eventBusName: 'bus', source: 'mms.postbacks' });

    const results = await publisher.publishBatch([event, event]);

    expect(results).toEqual([{ ok: true }, { ok: false, errorCode: 'ThrottlingException', errorMessage: 'slow down' }]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(PutEventsCommand);
    expect(sent[0]?.input.Entries?.[0]).toEqual({
      EventBusName: 'bus',
      Source: 'mms.postbacks',
      DetailType: 'MMS Delivered',
      Time: new Date(record.instant.epochMs),
      Detail: JSON.stringify(event.detail),
    });
  });

  it('counts an entry without a result as failed, and sends nothing for no events', async () => {
    const { client, sent } = clientAnswering({ FailedEntryCount: 0, Entries: [] });
    const publisher = new EventBridgePublisher({ client, eventBusName: 'bus', source: 'mms.postbacks' });

    expect(await publisher.publishBatch([event])).toEqual([
      { ok: false, errorCode: 'NoResult', errorMessage: expect.stringContaining('req-1') },
    ]);
    expect(await publisher.publishBatch([])).toEqual([]);
    expect(sent).toHaveLength(1);
  });

  it('sends, on a retry too, the entry it sized, serializing the Detail once', async () => {
    const { client, sent } = clientAnswering({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    const publisher = new EventBridgePublisher({ client, eventBusName: 'bus', source: 'mms.postbacks' });
    const stringify = jest.spyOn(JSON, 'stringify');

    const size = publisher.entrySize(event);
    await publisher.publishBatch([event]);
    await publisher.publishBatch([event]);
    const calls = stringify.mock.calls.length;
    stringify.mockRestore();

    expect(calls).toBe(1);
    expect(sent.map((command) => command.input.Entries?.[0]?.Detail)).toEqual([JSON.stringify(event.detail), JSON.stringify(event.detail)]);
    expect(size).toBe(14 + 'mms.postbacks'.length + 'MMS Delivered'.length + Buffer.byteLength(JSON.stringify(event.detail), 'utf8'));
  });

  it('sizes an entry as EventBridge counts it: Time 14 bytes, then the UTF-8 bytes of Source, DetailType and Detail', () => {
    const publisher = new EventBridgePublisher({ client: clientAnswering({}).client, eventBusName: 'bus', source: 'mms.postbacks' });
    const detail = JSON.stringify(event.detail);
    expect(publisher.entrySize(event)).toBe(14 + 'mms.postbacks'.length + 'MMS Delivered'.length + Buffer.byteLength(detail, 'utf8'));
    // UTF-8 bytes, not characters (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html).
    expect(putEventsEntrySize({ Source: 's', DetailType: 'd', Detail: '"é"' })).toBe(1 + 1 + 4);
    expect(putEventsEntrySize({ Source: 's', DetailType: 'd', Resources: ['ab', 'c'] })).toBe(5);
  });
});
