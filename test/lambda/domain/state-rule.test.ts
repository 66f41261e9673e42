import { CATALOG } from '../../../lambda/domain/catalog';
import { supersedes } from '../../../lambda/domain/state-rule';

const key = (rank: number, instantKey: string, postbackId = `${rank}-${instantKey}`) => ({ rank, instantKey, postbackId });

describe('latest-state rule', () => {
  it('takes any postback when there is no state', () => {
    expect(supersedes(key(0, 'a'), undefined)).toBe(true);
  });

  // Every pair of catalog codes, in both orders and with both timestamp orders.
  const pairs = CATALOG.flatMap((a) => CATALOG.map((b) => [a, b] as const));
  it.each(pairs.map(([a, b]) => [a.code, a.rank, b.code, b.rank]))('%s (rank %d) over %s (rank %d)', (_codeA, rankA, _codeB, rankB) => {
    const earlier = '2026-01-01T00:00:00.000000000Z';
    const later = '2026-01-01T00:00:01.000000000Z';
    // candidate later in time
    expect(supersedes(key(rankA, later), key(rankB, earlier))).toBe(rankA >= rankB);
    // candidate earlier in time
    expect(supersedes(key(rankA, earlier), key(rankB, later))).toBe(rankA > rankB);
    // same instant, different postback: only a higher rank wins
    expect(supersedes(key(rankA, earlier, 'x'), key(rankB, earlier, 'y'))).toBe(rankA > rankB);
  });

  it('lets the same postback re-apply (a retry that finishes the work)', () => {
    expect(supersedes(key(1, 'a', 'same'), key(1, 'a', 'same'))).toBe(true);
  });

  it('never lets a lower rank win, however late', () => {
    expect(supersedes(key(1, '9999'), key(2, '0000'))).toBe(false);
  });
});
