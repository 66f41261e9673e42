import { PUBLISHER_STREAM_FILTER } from '../../lambda/publisher/stream-filter';
import { type FilterPattern, FilterPatternError, matchesAnyFilter, matchesFilter } from '../../local/event-filter';

/** Stream records in the shape Lambda filters them (keys and images in DynamoDB JSON). */
const record = (eventName: string, sk: string, extra: Record<string, unknown> = {}) => ({
  eventName,
  eventSource: 'aws:dynamodb',
  dynamodb: { Keys: { pk: { S: 'MSG#t-1' }, sk: { S: sk } }, NewImage: { pk: { S: 'MSG#t-1' }, sk: { S: sk }, ...extra } },
});

describe('the publisher filter, evaluated as Lambda does', () => {
  const publisher = PUBLISHER_STREAM_FILTER;

  it.each([
    ['an inserted history entry', record('INSERT', 'H#2026-04-24T18:30:00.000Z#abc'), true],
    ['a modified history entry', record('MODIFY', 'H#2026-04-24T18:30:00.000Z#abc'), false],
    ['a removed (TTL) history entry', record('REMOVE', 'H#2026-04-24T18:30:00.000Z#abc'), false],
    ['an inserted state', record('INSERT', 'STATE'), false],
    ['a modified state', record('MODIFY', 'STATE'), false],
    [
      'an inserted rejected record',
      {
        ...record('INSERT', '2026-04-24T18:30:00.000Z#req-1'),
        dynamodb: { Keys: { pk: { S: 'REJECTED#2026-04-24#03' }, sk: { S: '2026-04-24T18:30:00.000Z#req-1' } } },
      },
      false,
    ],
    ['a record without keys', { eventName: 'INSERT', dynamodb: {} }, false],
    ['a sort key that is not a string', { eventName: 'INSERT', dynamodb: { Keys: { sk: { N: '1' } } } }, false],
  ])('%s: %s', (_name, r, expected) => {
    expect(matchesFilter(publisher, r)).toBe(expected);
  });
});

describe('matchesFilter', () => {
  const r = { a: 'Alpha', n: 5, b: true, z: null, list: ['x', 'y'], nested: { deep: 'v' } };
  it.each<[string, FilterPattern, boolean]>([
    ['exact string', { a: ['Alpha'] }, true],
    ['exact string, other case', { a: ['alpha'] }, false],
    ['one of several (OR)', { a: ['Beta', 'Alpha'] }, true],
    ['every key (AND)', { a: ['Alpha'], b: [false] }, false],
    ['number', { n: [5] }, true],
    ['boolean', { b: [true] }, true],
    ['null', { z: [null] }, true],
    ['prefix', { a: [{ prefix: 'Al' }] }, true],
    ['prefix that does not match', { a: [{ prefix: 'al' }] }, false],
    ['a missing key against a value', { missing: ['Alpha'] }, false],
    ['an array value matches when one element does', { list: ['y'] }, true],
    ['an array value with no matching element', { list: ['q'] }, false],
    ['nested object', { nested: { deep: ['v'] } }, true],
    ['nested object, value differs', { nested: { deep: ['w'] } }, false],
    ['nested object against a scalar', { a: { deep: ['v'] } }, false],
    ['nested object against a missing key', { missing: { deep: ['v'] } }, false],
    ['empty pattern', {}, true],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesFilter(pattern, r)).toBe(expected);
  });

  it('refuses an operator it does not know, instead of guessing', () => {
    for (const operator of [{ wildcard: 'A*' }, { exists: true }, { suffix: 'a' }, { 'anything-but': 'Beta' }, { numeric: ['>', 0] }]) {
      expect(() => matchesFilter({ a: [operator] }, r)).toThrow(FilterPatternError);
    }
    expect(() => matchesFilter({ a: [{ prefix: 'A', suffix: 'a' }] }, r)).toThrow(/one operator/);
    expect(() => matchesFilter({ a: 'Alpha' } as unknown as FilterPattern, r)).toThrow(/array or an object/);
    expect(() => matchesFilter({ a: [{ prefix: 1 }] }, r)).toThrow(/prefix needs a string/);
  });

  it('ORs several filters of a mapping; no filter passes everything', () => {
    expect(matchesAnyFilter([{ a: ['Beta'] }, { n: [5] }], r)).toBe(true);
    expect(matchesAnyFilter([{ a: ['Beta'] }, { n: [6] }], r)).toBe(false);
    expect(matchesAnyFilter([], r)).toBe(true);
  });
});
