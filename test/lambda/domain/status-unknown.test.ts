import { CATALOG, DETAIL_TYPES, lookupCode, MT_CODES, STATUS_UNKNOWN } from '../../../lambda/domain/catalog';
import { supersedes } from '../../../lambda/domain/state-rule';
import { statusUnknownRecord } from '../../../lambda/domain/status-unknown';
import { validatePostback } from '../../../lambda/domain/validate';
import { fixture } from '../../helpers/fixtures';

const waitStartedAt = new Date('2026-04-24T18:30:05.000Z');
const dueAt = new Date('2026-04-27T18:30:05.000Z');
const now = new Date('2026-04-27T18:31:00.000Z');

describe('the synthetic MMS Status Unknown entry', () => {
  it('is a final send state of outcome unknown, published under its own detail-type', () => {
    expect(STATUS_UNKNOWN).toMatchObject({ detailType: 'MMS Status Unknown', outcome: 'unknown', final: true, rank: 1.5 });
    expect(DETAIL_TYPES).toContain('MMS Status Unknown');
  });

  it('cannot be sent by the provider: its code is not of the [NE]ddd form and not in the catalog', () => {
    expect(lookupCode(STATUS_UNKNOWN.code)).toBeUndefined();
    expect(MT_CODES).not.toContain(STATUS_UNKNOWN.code);
    const result = validatePostback({ ...fixture('n101'), code: STATUS_UNKNOWN.code });
    expect(result.ok).toBe(false);
  });

  const synthetic = {
    rank: STATUS_UNKNOWN.rank,
    instantKey: '2026-04-27T18:30:05.000000000Z',
    outcome: STATUS_UNKNOWN.outcome,
    postbackId: 'synthetic',
  };
  it.each(CATALOG.map((entry) => [entry.code, entry.final, entry.rank, entry.outcome] as const))(
    '%s (final: %s): the synthetic state supersedes it exactly when it is not final, and it supersedes the synthetic state exactly when it is final',
    (_code, final, rank, outcome) => {
      const real = { rank, instantKey: '2026-04-24T18:30:00.000000000Z', outcome, postbackId: 'real' };
      expect(supersedes(synthetic, real)).toBe(!final);
      expect(supersedes(real, synthetic)).toBe(final);
    },
  );
});

describe('statusUnknownRecord', () => {
  it('carries the message fields, the end of the wait as timestamp, and when the wait began', () => {
    const record = statusUnknownRecord(
      { trackingId: 'abc123xyz', to: '17745550001', from: '18885551234', clientReference: 'send-001', sentAs: 'MMS', waitStartedAt, dueAt },
      now,
    );

    expect(record).toMatchObject({ code: 'UNKNOWN', detailType: 'MMS Status Unknown', final: true, catalogEntry: STATUS_UNKNOWN });
    expect(record.instant.epochMs).toBe(dueAt.getTime());
    expect(record.detail).toEqual({
      postbackId: record.postbackId,
      trackingId: 'abc123xyz',
      origin: 'MMS_MT',
      to: '17745550001',
      from: '18885551234',
      clientReference: 'send-001',
      sentAs: 'MMS',
      code: 'UNKNOWN',
      status: 'Unknown',
      timestamp: '2026-04-27T18:30:05.000Z',
      lifecycle: 'send',
      outcome: 'unknown',
      final: true,
      receivedAt: now.toISOString(),
      synthetic: true,
      waitStartedAt: waitStartedAt.toISOString(),
    });
  });

  it('is deterministic per message: same postbackId and history key whenever and however often it is built', () => {
    const a = statusUnknownRecord({ trackingId: 'abc123xyz', waitStartedAt, dueAt }, now);
    const b = statusUnknownRecord({ trackingId: 'abc123xyz', waitStartedAt, dueAt }, new Date(now.getTime() + 60_000));
    const other = statusUnknownRecord({ trackingId: 'abc123xyz-2', waitStartedAt, dueAt }, now);

    expect([b.postbackId, b.instant.key]).toEqual([a.postbackId, a.instant.key]);
    expect(other.postbackId).not.toBe(a.postbackId);
  });
});
