import { statusUnknownBody, statusUnknownRecord } from '../../../lambda/domain/status-unknown';
import type { StoredEntry } from '../../../lambda/ports';
import { RebuildError, rebuildEvent } from '../../../lambda/publisher/rebuild-event';
import { toXmlPostback } from '../../../local/xml-form';
import { fixture, interpreted } from '../../helpers/fixtures';

/**
 * The publisher (and `npm run republish`) publishes what the ingest function (or the sweep) would have published, from
 * the history entry alone: every kind of stored body must rebuild its event.
 */

const receivedAt = new Date('2026-04-24T18:31:12.345Z');

const ingested = (body: Record<string, unknown>, format: 'json' | 'xml') => interpreted(body, receivedAt, format);

describe('rebuildEvent', () => {
  it.each(['n101', 'n102', 'e102', 'n003', 'n401'] as const)('%s as JSON: the Detail the ingest function published', (name) => {
    const record = ingested(fixture(name), 'json');
    const entry: StoredEntry = {
      postbackId: record.postbackId,
      trackingId: record.trackingId,
      body: JSON.stringify(fixture(name)),
      receivedAt: receivedAt.toISOString(),
      isLatest: true,
    };
    expect(rebuildEvent(entry).detail).toEqual({ ...record.detail, isLatest: true });
  });

  it.each(['n101', 'n102', 'e102', 'n003', 'n401'] as const)('%s as XML: the Detail the ingest function published, format xml', (name) => {
    const record = ingested(fixture(name), 'xml');
    const entry: StoredEntry = {
      postbackId: record.postbackId,
      trackingId: record.trackingId,
      body: toXmlPostback(fixture(name)),
      receivedAt: receivedAt.toISOString(),
      isLatest: false,
    };
    const { detail } = rebuildEvent(entry);
    expect(detail).toEqual({ ...record.detail, isLatest: false });
    expect(detail).toMatchObject({ format: 'xml' });
  });

  it("the sweep's MMS Status Unknown: the Detail the sweep published, from the waiting message stored as its body", () => {
    const record = statusUnknownRecord(
      {
        trackingId: 'abc123xyz',
        clientReference: 'send-001',
        to: '15551234567',
        waitStartedAt: new Date('2026-04-24T18:30:05.000Z'),
        dueAt: new Date('2026-04-27T18:30:05.000Z'),
      },
      receivedAt,
    );
    const entry: StoredEntry = {
      postbackId: record.postbackId,
      trackingId: record.trackingId,
      body: statusUnknownBody(record),
      receivedAt: record.receivedAt,
      isLatest: true,
    };
    const rebuilt = rebuildEvent(entry);
    expect(rebuilt.record).toEqual(record);
    expect(rebuilt.detail).toEqual({ ...record.detail, isLatest: true });
  });

  it('refuses a body that names another postback, and a body that cannot be read', () => {
    const record = ingested(fixture('n101'), 'json');
    const entry: StoredEntry = {
      postbackId: record.postbackId,
      trackingId: record.trackingId,
      body: JSON.stringify(fixture('n102')),
      receivedAt: receivedAt.toISOString(),
      isLatest: true,
    };
    expect(() => rebuildEvent(entry)).toThrow(
      new RebuildError(
        `the stored body gives postbackId ${ingested(fixture('n102'), 'json').postbackId}, the entry is ${record.postbackId}`,
      ),
    );
    expect(() => rebuildEvent({ ...entry, body: '{"code":' })).toThrow(/^the stored body cannot be read: /);
  });
});
