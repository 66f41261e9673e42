/**
 * DynamoDB's documented capacity rules for writes, as pure functions over item images
 * (what an item looked like before and after a write). DynamoDB Local reports a
 * `ConsumedCapacity` too, but it is not AWS: the capacity proxy shows both, and the rules
 * below are what the cost report and the partition-heat simulation apply.
 *
 * - Item size: the sum of attribute name and value sizes, per type
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
 * - Write units: one per 1 KB (1,024 bytes) of item size, rounded up, at least one; a
 *   PutItem/UpdateItem is charged on the larger of the item before and after the write; a
 *   DeleteItem on the deleted item; a write whose condition fails still consumes units for
 *   the existing item (at least one)
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html#write-operation-consumption).
 * - Transactions: a transactional write costs two units per 1 KB of each item
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-capacity-handling).
 *   A cancelled transaction is charged here like failed conditional writes, transactional
 *   (two per 1 KB of each existing item): the conservative reading.
 * - Global secondary indexes: a write that puts an item into an index costs one write; one
 *   that changes an index key attribute costs two (delete the old entry, put the new one);
 *   one that removes the key attribute costs one (delete); one that changes only projected
 *   non-key attributes costs one; nothing is written to an index the item is not in, or when
 *   neither its key nor its projected attributes change. Each index write is charged on the
 *   size of the projected item (table keys, index keys, projected attributes), one unit per
 *   1 KB, not doubled by transactions: index entries are propagated asynchronously
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations.Writes).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

/** One global secondary index as the rules need it. */
export interface IndexShape {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** `ALL`, `KEYS_ONLY`, or the non-key attributes of an `INCLUDE` projection. */
  readonly projection: 'ALL' | 'KEYS_ONLY' | { readonly include: readonly string[] };
}

export interface TableShape {
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly indexes: readonly IndexShape[];
}

/** Where write units land: the table, or one index; and on which partition key value. */
export interface WriteCharge {
  /** `table` or the index name. */
  readonly target: string;
  /** The partition key value the units land on (for the heat accounting). */
  readonly partitionKey: string;
  readonly units: number;
  /** The rule applied, in words (shown by the reports). */
  readonly rule: string;
}

/** One item written by a request: its images and how it was written. */
export interface ItemWrite {
  /** The item before the request (`undefined`: it did not exist). */
  readonly before: Item | undefined;
  /** The item after the request (`undefined`: deleted, or never created). */
  readonly after: Item | undefined;
  readonly kind: 'put' | 'update' | 'delete';
  readonly transactional: boolean;
  /** The write did not happen: its condition failed, or its transaction was cancelled. */
  readonly failed: boolean;
  /** The item's primary key (for items absent before and after). */
  readonly key: Item;
}

export const WRITE_UNIT_BYTES = 1024;
export const READ_UNIT_BYTES = 4096;

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/** Bytes of a number: 1 per two significant digits (leading/trailing zeros trimmed), plus 1. */
export function numberSize(n: string): number {
  const mantissa = n.replace(/^[-+]/, '').split(/[eE]/)[0] ?? '';
  const digits = mantissa.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/** Raw bytes of a binary value (base64 text in JSON, bytes in the SDK). */
function binarySize(b: Uint8Array | string): number {
  return typeof b === 'string' ? Buffer.from(b, 'base64').length : b.length;
}

/** Bytes of an attribute value (without its name). */
export function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return numberSize(v.N);
  if (v.B !== undefined) return binarySize(v.B);
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS !== undefined) return v.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((sum, s) => sum + numberSize(s), 0);
  if (v.BS !== undefined) return v.BS.reduce((sum, b) => sum + binarySize(b), 0);
  // List or Map: 3 bytes of overhead, plus 1 byte per element.
  if (v.L !== undefined) return 3 + v.L.reduce((sum, e) => sum + 1 + valueSize(e), 0);
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((sum, [k, e]) => sum + 1 + utf8(k) + valueSize(e), 0);
  return 0;
}

/** Bytes of an item: attribute names plus values. */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += utf8(name) + valueSize(value);
  return size;
}

/** Write units for an item of `bytes`: one per 1 KB, rounded up, at least one. */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));
}

/** Read units for an item (or a query page) of `bytes`: one per 4 KB strongly consistent, half eventually. */
export function readUnits(bytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
  return consistent ? units : units / 2;
}

/** The index entry of an item (table keys, index keys, projected attributes), or `undefined` when the item is not in the index (sparse). */
export function projectedItem(item: Item | undefined, table: TableShape, index: IndexShape): Item | undefined {
  if (!item || item[index.partitionKey] === undefined) return undefined;
  if (index.sortKey !== undefined && item[index.sortKey] === undefined) return undefined;
  if (index.projection === 'ALL') return item;
  const names = [table.partitionKey, table.sortKey, index.partitionKey, index.sortKey];
  if (index.projection !== 'KEYS_ONLY') names.push(...index.projection.include);
  const out: Item = {};
  for (const name of names) if (name !== undefined && item[name] !== undefined) out[name] = item[name];
  return out;
}

/** A stable text form of a value, for comparing images and naming partition keys. */
export function valueText(v: AttributeValue | undefined): string {
  if (v === undefined) return '';
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return v.N;
  return JSON.stringify(v);
}

function sameValue(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sameItem(a: Item, b: Item): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (!sameValue(a[k], b[k])) return false;
  return true;
}

/**
 * The write units one item write consumes, on the table and on each index, by the rules
 * above (see the module comment for the sources).
 *
 * @example
 * writeCharges(shape, { before: undefined, after: item, kind: 'put', transactional: true, failed: false, key })
 * // [{ target: 'table', partitionKey: 'MSG#t-1', units: 2, rule: 'transactional put: 2 x ceil(612 B / 1 KB)' }]
 */
export function writeCharges(table: TableShape, write: ItemWrite): WriteCharge[] {
  const factor = write.transactional ? 2 : 1;
  const tx = write.transactional ? 'transactional ' : '';
  const pk = valueText((write.after ?? write.before ?? write.key)[table.partitionKey] ?? write.key[table.partitionKey]);
  if (write.failed) {
    const bytes = write.before ? itemSize(write.before) : 0;
    return [
      {
        target: 'table',
        partitionKey: pk,
        units: factor * writeUnits(bytes),
        rule: `${tx}${write.kind}, condition failed: ${factor > 1 ? `${factor} x ` : ''}ceil(${bytes} B existing / 1 KB), at least 1`,
      },
    ];
  }
  const tableBytes =
    write.kind === 'delete'
      ? write.before
        ? itemSize(write.before)
        : 0
      : Math.max(write.before ? itemSize(write.before) : 0, write.after ? itemSize(write.after) : 0);
  const charges: WriteCharge[] = [
    {
      target: 'table',
      partitionKey: pk,
      units: factor * writeUnits(tableBytes),
      rule: `${tx}${write.kind}: ${factor > 1 ? `${factor} x ` : ''}ceil(${tableBytes} B / 1 KB)${write.kind === 'delete' ? '' : ', larger of before and after'}`,
    },
  ];
  for (const index of table.indexes) {
    const old = projectedItem(write.before, table, index);
    const now = projectedItem(write.after, table, index);
    const put = (entry: Item, why: string) =>
      charges.push({
        target: index.indexName,
        partitionKey: valueText(entry[index.partitionKey]),
        units: writeUnits(itemSize(entry)),
        rule: `${why}: ceil(${itemSize(entry)} B projected / 1 KB)`,
      });
    if (!old && !now) continue;
    if (!old && now) put(now, 'index put');
    else if (old && !now) put(old, 'index delete');
    else if (old && now) {
      const keyChanged =
        !sameValue(old[index.partitionKey], now[index.partitionKey]) ||
        (index.sortKey !== undefined && !sameValue(old[index.sortKey], now[index.sortKey]));
      if (keyChanged) {
        put(old, 'index key changed, delete old entry');
        put(now, 'index key changed, put new entry');
      } else if (!sameItem(old, now)) {
        const bytes = Math.max(itemSize(old), itemSize(now));
        charges.push({
          target: index.indexName,
          partitionKey: valueText(now[index.partitionKey]),
          units: writeUnits(bytes),
          rule: `projected attributes changed: ceil(${bytes} B projected / 1 KB)`,
        });
      }
    }
  }
  return charges;
}

/** The shape of a table described like `lambda/table/table-definition.ts` (`TABLE_DEFINITION`). */
export function tableShape(definition: {
  readonly partitionKey: { readonly name: string };
  readonly sortKey?: { readonly name: string };
  readonly globalSecondaryIndexes: readonly {
    readonly indexName: string;
    readonly partitionKey: { readonly name: string };
    readonly sortKey?: { readonly name: string };
    readonly projection: string;
    readonly nonKeyAttributes?: readonly string[];
  }[];
}): TableShape {
  return {
    partitionKey: definition.partitionKey.name,
    sortKey: definition.sortKey?.name,
    indexes: definition.globalSecondaryIndexes.map((gsi) => ({
      indexName: gsi.indexName,
      partitionKey: gsi.partitionKey.name,
      sortKey: gsi.sortKey?.name,
      projection: gsi.projection === 'ALL' ? 'ALL' : gsi.projection === 'KEYS_ONLY' ? 'KEYS_ONLY' : { include: gsi.nonKeyAttributes ?? [] },
    })),
  };
}
