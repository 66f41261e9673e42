import { toInstant } from '../../../lambda/domain/timestamp';

describe('toInstant', () => {
  it.each([
    ['2026-04-24T18:30:00Z', '2026-04-24T18:30:00.000000000Z'],
    ['2014-02-03T11:19:49-05:00', '2014-02-03T16:19:49.000000000Z'],
    ['2014-02-03T11:19:49-0500', '2014-02-03T16:19:49.000000000Z'],
    ['2014-02-03T23:30:00+05:30', '2014-02-03T18:00:00.000000000Z'],
    ['2026-01-01T00:30:00+01:00', '2025-12-31T23:30:00.000000000Z'],
    ['2026-04-24t18:30:00.5z', '2026-04-24T18:30:00.500000000Z'],
    ['2026-04-24 18:30:00.123456789Z', '2026-04-24T18:30:00.123456789Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000000000Z'],
    ['0050-06-01T00:00:00Z', '0050-06-01T00:00:00.000000000Z'],
  ])('%s is the instant %s', (input, key) => {
    expect(toInstant(input)?.key).toBe(key);
  });

  it('gives the same instant for the same moment in different zones', () => {
    expect(toInstant('2014-02-03T11:19:49-05:00')).toEqual(toInstant('2014-02-03T16:19:49Z'));
    expect(toInstant('2014-02-03T16:19:49.250Z')?.epochMs).toBe(Date.parse('2014-02-03T16:19:49.250Z'));
  });

  it.each([
    '2026-04-24T18:30:00', // no zone
    '2026-04-24',
    '2026-13-01T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-04-24T24:00:00Z',
    '2026-04-24T18:60:00Z',
    '2026-04-24T18:30:60Z',
    '2026-04-24T18:30:00+24:00',
    'yesterday',
  ])('%s is not an instant', (input) => {
    expect(toInstant(input)).toBeUndefined();
  });

  it.each([
    ['2026-04-24T18:30:00.1234567891Z', '2026-04-24T18:30:00.123456789Z1'],
    ['2026-04-24T18:30:00.123456789000000Z', '2026-04-24T18:30:00.123456789Z'],
    ['2026-04-24T18:30:00.000000000000000000001Z', '2026-04-24T18:30:00.000000000Z000000000001'],
    ['2026-04-24T13:30:00.12345678912345-05:00', '2026-04-24T18:30:00.123456789Z12345'],
  ])('accepts any number of fraction digits: %s is the instant %s', (input, key) => {
    expect(toInstant(input)?.key).toBe(key);
  });

  it('gives one key to one instant whatever the number of fraction digits', () => {
    const keys = ['2026-04-24T18:30:00.5Z', '2026-04-24T18:30:00.500Z', '2026-04-24T18:30:00.50000000000000Z'].map(
      (t) => toInstant(t)?.key,
    );
    expect(new Set(keys).size).toBe(1);
  });

  it('orders keys of any fraction length as time, also followed by a # separator', () => {
    // Ascending instants, written with fractions of many lengths.
    const ascending = [
      '2026-04-24T18:30:00Z',
      '2026-04-24T18:30:00.0000000000001Z',
      '2026-04-24T18:30:00.000000001Z',
      '2026-04-24T18:30:00.00000000100001Z',
      '2026-04-24T18:30:00.0000000011Z',
      '2026-04-24T18:30:00.4999999999999999Z',
      '2026-04-24T18:30:00.5Z',
      '2026-04-24T18:30:00.50000000001Z',
      '2026-04-24T18:30:00.51Z',
      '2026-04-24T18:30:00.999999999999Z',
      '2026-04-24T18:30:01Z',
    ];
    const keys = ascending.map((t) => toInstant(t)?.key as string);
    for (let i = 1; i < keys.length; i++) {
      const [a, b] = [keys[i - 1] as string, keys[i] as string];
      expect([a, b, a < b]).toEqual([a, b, true]);
      expect(`${a}#x` < `${b}#x`).toBe(true);
    }
  });

  it('orders keys as time', () => {
    const a = toInstant('2026-04-24T18:30:00.999Z')!.key;
    const b = toInstant('2026-04-24T14:30:01-04:00')!.key;
    expect(a < b).toBe(true);
  });
});
