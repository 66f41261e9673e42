/**
 * DynamoDB's documented capacity rules, as the cost report and the partition-heat
 * simulation apply them:
 * item sizes https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html,
 * write units https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html,
 * transactions https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html,
 * index writes https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html.
 */
import {
  type Item,
  type ItemWrite,
  itemSize,
  numberSize,
  projectedItem,
  readUnits,
  type TableShape,
  tableShape,
  valueSize,
  writeCharges,
  writeUnits,
} from '../../loadtest/capacity-rules';

const TABLE: TableShape = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    { indexName: 'all', partitionKey: 'g', sortKey: 'gs', projection: 'ALL' },
    { indexName: 'keys', partitionKey: 'k', projection: 'KEYS_ONLY' },
  ],
};
const KEY: Item = { pk: { S: 'MSG#1' }, sk: { S: 'STATE' } };

function write(overrides: Partial<ItemWrite>): ItemWrite {
  return { before: undefined, after: undefined, kind: 'put', transactional: false, failed: false, key: KEY, ...overrides };
}

const units = (charges: ReturnType<typeof writeCharges>, target: string) =>
  charges.filter((c) => c.target === target).reduce((sum, c) => sum + c.units, 0);

describe('item sizes', () => {
  it.each([
    ['a string: its UTF-8 bytes', { S: 'héllo' }, 6],
    ['an empty string', { S: '' }, 0],
    ['a number: 1 byte per two significant digits, plus 1', { N: '1732999999000' }, 6],
    ['a number with leading and trailing zeros trimmed', { N: '000120.500' }, 3],
    ['a negative number', { N: '-7' }, 2],
    ['a boolean', { BOOL: true }, 1],
    ['a null', { NULL: true }, 1],
    ['binary: raw bytes, not base64', { B: Buffer.from('abcd').toString('base64') as unknown as Uint8Array }, 4],
    ['a string set', { SS: ['ab', 'c'] }, 3],
    ['an empty list: 3 bytes', { L: [] }, 3],
    ['a list: 3 + 1 per element + elements', { L: [{ S: 'ab' }, { N: '1' }] }, 3 + (1 + 2) + (1 + 2)],
    ['a map: 3 + per entry 1 + name + value', { M: { x: { S: 'yz' } } }, 3 + 1 + 1 + 2],
  ])('%s', (_name, value, bytes) => {
    expect(valueSize(value)).toBe(bytes);
  });

  it('an item is the sum of its attribute names and values', () => {
    expect(itemSize({ pk: { S: 'MSG#1' }, n: { N: '12' } })).toBe(2 + 5 + 1 + 2);
  });

  it('numbers: 38 significant digits take 20 bytes', () => {
    expect(numberSize('1'.repeat(38))).toBe(20);
  });
});

describe('units per request', () => {
  it.each([
    [0, 1],
    [1, 1],
    [1024, 1],
    [1025, 2],
    [3500, 4],
  ])('a write of %i bytes costs %i unit(s)', (bytes, expected) => {
    expect(writeUnits(bytes)).toBe(expected);
  });

  it('reads: one unit per 4 KB strongly consistent, half eventually consistent', () => {
    expect(readUnits(3500, true)).toBe(1);
    expect(readUnits(8193, true)).toBe(3);
    expect(readUnits(3500, false)).toBe(0.5);
  });
});

describe('table writes', () => {
  const small: Item = { ...KEY, a: { S: 'x' } };
  const big: Item = { ...KEY, a: { S: 'x'.repeat(1500) } };

  it('a put costs one unit per KB of the item', () => {
    const charges = writeCharges(TABLE, write({ after: big }));
    expect(charges).toEqual([expect.objectContaining({ target: 'table', partitionKey: 'MSG#1', units: 2 })]);
  });

  it('a transactional write costs twice as much', () => {
    expect(units(writeCharges(TABLE, write({ after: big, transactional: true })), 'table')).toBe(4);
  });

  it('an update is charged on the larger of the item before and after', () => {
    expect(units(writeCharges(TABLE, write({ kind: 'update', before: big, after: small })), 'table')).toBe(2);
    expect(units(writeCharges(TABLE, write({ kind: 'update', before: small, after: big })), 'table')).toBe(2);
  });

  it('a delete is charged on the deleted item', () => {
    expect(units(writeCharges(TABLE, write({ kind: 'delete', before: big })), 'table')).toBe(2);
  });

  it('a failed condition still costs the existing item, at least one unit, and writes no index', () => {
    const existing: Item = { ...big, g: { S: 'G' }, gs: { S: '1' } };
    const charges = writeCharges(TABLE, write({ before: existing, after: existing, failed: true }));
    expect(charges).toHaveLength(1);
    expect(units(charges, 'table')).toBe(2);
    expect(units(writeCharges(TABLE, write({ failed: true })), 'table')).toBe(1);
    expect(units(writeCharges(TABLE, write({ failed: true, transactional: true })), 'table')).toBe(2);
  });
});

describe('index writes', () => {
  const base: Item = { ...KEY, a: { S: 'x' } };
  const inAll = (ts: string, extra: Item = {}): Item => ({ ...base, g: { S: 'campaign' }, gs: { S: ts }, ...extra });

  it('an item outside a sparse index writes nothing to it', () => {
    expect(writeCharges(TABLE, write({ after: base })).map((c) => c.target)).toEqual(['table']);
  });

  it('entering the index costs one write, on the index partition key', () => {
    const charges = writeCharges(TABLE, write({ after: inAll('1') }));
    expect(charges.filter((c) => c.target === 'all')).toEqual([expect.objectContaining({ partitionKey: 'campaign', units: 1 })]);
  });

  it('index writes are not doubled by a transaction', () => {
    expect(units(writeCharges(TABLE, write({ after: inAll('1'), transactional: true })), 'all')).toBe(1);
  });

  it('changing the index sort key costs two writes (delete + put)', () => {
    const charges = writeCharges(TABLE, write({ kind: 'update', before: inAll('1'), after: inAll('2') }));
    expect(charges.filter((c) => c.target === 'all').map((c) => c.units)).toEqual([1, 1]);
  });

  it('changing only a projected attribute costs one write', () => {
    const charges = writeCharges(TABLE, write({ kind: 'update', before: inAll('1'), after: inAll('1', { a: { S: 'y' } }) }));
    expect(units(charges, 'all')).toBe(1);
  });

  it('a KEYS_ONLY index is not written when only other attributes change', () => {
    const before: Item = { ...base, k: { S: 'shard-01' } };
    const after: Item = { ...before, a: { S: 'changed' }, big: { S: 'x'.repeat(5000) } };
    const charges = writeCharges(TABLE, write({ kind: 'update', before, after }));
    expect(units(charges, 'keys')).toBe(0);
    expect(units(charges, 'table')).toBe(5);
  });

  it('removing the index key attribute costs one delete', () => {
    const before: Item = { ...base, k: { S: 'shard-01' } };
    const charges = writeCharges(TABLE, write({ kind: 'update', before, after: base }));
    expect(charges.filter((c) => c.target === 'keys')).toEqual([expect.objectContaining({ partitionKey: 'shard-01', units: 1 })]);
  });

  it('index writes are charged on the projected item only', () => {
    const after: Item = { ...base, k: { S: 'shard-01' }, big: { S: 'x'.repeat(5000) } };
    expect(projectedItem(after, TABLE, TABLE.indexes[1] as never)).toEqual({ ...KEY, k: { S: 'shard-01' } });
    expect(units(writeCharges(TABLE, write({ after })), 'keys')).toBe(1);
    expect(units(writeCharges(TABLE, write({ after: inAll('1', { big: { S: 'x'.repeat(5000) } }) })), 'all')).toBe(5);
  });
});

describe('tableShape', () => {
  it('reads a table definition with ALL, KEYS_ONLY and INCLUDE projections', () => {
    const shape = tableShape({
      partitionKey: { name: 'pk' },
      sortKey: { name: 'sk' },
      globalSecondaryIndexes: [
        { indexName: 'a', partitionKey: { name: 'x' }, projection: 'ALL' },
        { indexName: 'b', partitionKey: { name: 'y' }, sortKey: { name: 'z' }, projection: 'KEYS_ONLY' },
        { indexName: 'c', partitionKey: { name: 'w' }, projection: 'INCLUDE', nonKeyAttributes: ['n'] },
      ],
    });
    expect(shape.indexes.map((i) => i.projection)).toEqual(['ALL', 'KEYS_ONLY', { include: ['n'] }]);
  });
});
