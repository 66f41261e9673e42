import { CATALOG, type Outcome } from '../../../lambda/domain/catalog';
import { interpretPostback } from '../../../lambda/domain/postback';
import {
  competesForLatest,
  FAR_FUTURE_MS,
  OUTCOME_ORDER,
  precedenceOf,
  STATUS_UNKNOWN_RANK,
  type StateKey,
  supersedes,
} from '../../../lambda/domain/state-rule';
import { toInstant } from '../../../lambda/domain/timestamp';
import { validatePostback } from '../../../lambda/domain/validate';

const EARLIER = '2026-01-01T00:00:00.000000000Z';
const LATER = '2026-01-01T00:00:01.000000000Z';

interface Competitor {
  readonly code: string;
  readonly rank: number;
  readonly outcome: Outcome;
}

/** Every catalog code and the synthetic `MMS Status Unknown`. */
const COMPETITORS: readonly Competitor[] = [
  ...CATALOG.map((e) => ({ code: e.code, rank: e.rank, outcome: e.outcome })),
  { code: 'MMS Status Unknown', rank: STATUS_UNKNOWN_RANK, outcome: 'unknown' },
];

const key = (c: Competitor, instantKey: string, postbackId: string): StateKey => ({
  rank: c.rank,
  instantKey,
  outcome: c.outcome,
  postbackId,
});

/** The rule in plain terms (rank, instant, outcome, postbackId), written independently of the precedence string. */
function expectedWinner(a: StateKey, b: StateKey): StateKey {
  if (a.rank !== b.rank) return a.rank > b.rank ? a : b;
  if (a.instantKey !== b.instantKey) return a.instantKey > b.instantKey ? a : b;
  if (a.outcome !== b.outcome) return OUTCOME_ORDER[a.outcome] > OUTCOME_ORDER[b.outcome] ? a : b;
  return a.postbackId > b.postbackId ? a : b;
}

/** Applies postbacks in the given order and returns the resulting latest state. */
function apply(keys: readonly StateKey[]): StateKey | undefined {
  let state: StateKey | undefined;
  for (const k of keys) if (supersedes(k, state)) state = k;
  return state;
}

describe('latest-state rule', () => {
  it('takes any postback when there is no state', () => {
    expect(supersedes(key(COMPETITORS[0] as Competitor, EARLIER, 'a'), undefined)).toBe(true);
  });

  const pairs = COMPETITORS.flatMap((a) => COMPETITORS.map((b) => [a, b] as const));

  it.each(pairs.map(([a, b]) => [a.code, a.rank, b.code, b.rank, a, b] as const))(
    '%s (rank %d) against %s (rank %d): rank, then time',
    (_ca, rankA, _cb, rankB, a, b) => {
      // candidate later in time
      expect(supersedes(key(a, LATER, 'x'), key(b, EARLIER, 'y'))).toBe(rankA >= rankB);
      // candidate earlier in time
      expect(supersedes(key(a, EARLIER, 'x'), key(b, LATER, 'y'))).toBe(rankA > rankB);
    },
  );

  it.each(pairs.map(([a, b]) => [a.code, b.code, a, b] as const))(
    '%s and %s with equal instants end in the same state in both arrival orders',
    (_ca, _cb, a, b) => {
      for (const [idA, idB] of [
        ['0f', 'e0'],
        ['e0', '0f'],
      ] as const) {
        const ka = key(a, EARLIER, idA);
        const kb = key(b, EARLIER, idB);
        const winner = expectedWinner(ka, kb);
        expect(apply([ka, kb])).toBe(winner);
        expect(apply([kb, ka])).toBe(winner);
      }
    },
  );

  it('decides equal rank and equal instant by outcome: failure, success, unknown, pending', () => {
    const at = (outcome: Outcome, postbackId: string) => ({ rank: 2, instantKey: EARLIER, outcome, postbackId });
    // The failure wins although its postbackId is smaller.
    expect(apply([at('failure', '00'), at('success', 'ff')])?.outcome).toBe('failure');
    expect(apply([at('success', 'ff'), at('failure', '00')])?.outcome).toBe('failure');
    expect(apply([at('unknown', 'ff'), at('success', '00')])?.outcome).toBe('success');
    expect(apply([at('pending', 'ff'), at('unknown', '00')])?.outcome).toBe('unknown');
  });

  it('decides equal rank, instant and outcome by the greater postbackId', () => {
    const a = { rank: 2, instantKey: EARLIER, outcome: 'failure' as const, postbackId: '7a' };
    const b = { ...a, postbackId: '7b' };
    expect(apply([a, b])).toBe(b);
    expect(apply([b, a])).toBe(b);
  });

  it('compares instants of any fraction length', () => {
    const n102 = COMPETITORS.find((c) => c.code === 'N102') as Competitor;
    const e102 = COMPETITORS.find((c) => c.code === 'E102') as Competitor;
    const earlier = toInstant('2026-01-01T00:00:00.5Z')?.key as string;
    const later = toInstant('2026-01-01T00:00:00.50000000001Z')?.key as string;
    // The success is later by 10 picoseconds: it wins over the failure.
    expect(apply([key(n102, later, '00'), key(e102, earlier, 'ff')])?.outcome).toBe('success');
    expect(apply([key(e102, earlier, 'ff'), key(n102, later, '00')])?.outcome).toBe('success');
  });

  it('puts the synthetic MMS Status Unknown above Sent and below every real final code', () => {
    const unknown = { rank: STATUS_UNKNOWN_RANK, instantKey: LATER, outcome: 'unknown' as const, postbackId: 'u' };
    for (const entry of CATALOG) {
      const real = { rank: entry.rank, instantKey: EARLIER, outcome: entry.outcome, postbackId: 'r' };
      expect(supersedes(real, unknown)).toBe(entry.final);
      expect(supersedes(unknown, real)).toBe(!entry.final);
    }
  });

  it('lets the same postback re-apply (a retry that finishes the work)', () => {
    const k = { rank: 1, instantKey: EARLIER, outcome: 'pending' as const, postbackId: 'same' };
    expect(supersedes(k, k)).toBe(true);
  });

  it('never lets a lower rank win, however late', () => {
    const sent = { rank: 1, instantKey: '9999-12-31T23:59:59.999999999Z', outcome: 'pending' as const, postbackId: 'a' };
    const delivered = { rank: 2, instantKey: '0001-01-01T00:00:00.000000000Z', outcome: 'success' as const, postbackId: 'b' };
    expect(supersedes(sent, delivered)).toBe(false);
  });

  it('writes ranks on a fixed width, so that string order is rank order', () => {
    expect(precedenceOf({ rank: 2, instantKey: EARLIER, outcome: 'failure', postbackId: 'ab' })).toBe(`020#${EARLIER}#3#ab`);
    expect(precedenceOf({ rank: 1.5, instantKey: EARLIER, outcome: 'unknown', postbackId: 'ab' })).toBe(`015#${EARLIER}#1#ab`);
    expect(() => precedenceOf({ rank: -1, instantKey: EARLIER, outcome: 'unknown', postbackId: 'ab' })).toThrow(RangeError);
  });
});

describe('far-future timestamps', () => {
  const receivedAt = new Date('2026-04-24T18:30:00Z');
  const body = (code: string, timestamp: string) => {
    const entry = CATALOG.find((e) => e.code === code);
    return code === 'N401'
      ? { origin: 'MMS_MO', code, from: '17745550001', to: '18885551234', timestamp }
      : { origin: 'MMS_MT', code, status: entry?.status ?? 'x', 'tracking-id': 'far-1', timestamp };
  };
  const record = (code: string, timestamp: string) => {
    const valid = validatePostback(body(code, timestamp));
    if (!valid.ok) throw new Error(JSON.stringify(valid.details));
    return interpretPostback(valid.postback, receivedAt);
  };

  it.each(CATALOG.map((e) => e.code))('%s dated more than 24 hours after receipt never competes for the latest state', (code) => {
    for (const timestamp of ['2026-04-25T18:30:00.001Z', '9999-12-31T23:59:59Z']) {
      const r = record(code, timestamp);
      expect([timestamp, r.farFuture, r.precedence]).toEqual([timestamp, true, undefined]);
    }
  });

  it.each(CATALOG.map((e) => e.code))('%s dated up to 24 hours after receipt competes as usual', (code) => {
    for (const timestamp of ['2026-04-25T18:30:00Z', '2026-04-25T19:29:59+01:00', '2020-01-01T00:00:00Z']) {
      const r = record(code, timestamp);
      expect(r.farFuture).toBe(false);
      expect(r.precedence).toBe(
        precedenceOf({ rank: r.catalogEntry?.rank as number, instantKey: r.instant.key, outcome: r.outcome, postbackId: r.postbackId }),
      );
    }
  });

  it('an unknown code never competes, whatever its timestamp', () => {
    expect(competesForLatest({ known: false, epochMs: receivedAt.getTime(), receivedAt })).toBe(false);
    expect(competesForLatest({ known: true, epochMs: receivedAt.getTime() + FAR_FUTURE_MS, receivedAt })).toBe(true);
    expect(competesForLatest({ known: true, epochMs: receivedAt.getTime() + FAR_FUTURE_MS + 1, receivedAt })).toBe(false);
  });
});
