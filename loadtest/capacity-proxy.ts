/**
 * Write-unit accounting for DynamoDB Local: a loopback proxy (`stand-ins/loopback-proxy.ts`) put in
 * front of it with `AWS_ENDPOINT_URL_DYNAMODB`, used by the bench's cost report and by the
 * partition-heat simulation (`npm run loadtest -- --campaign`).
 *
 * For every request it:
 * - adds `"ReturnConsumedCapacity":"INDEXES"` to the JSON body and records DynamoDB Local's
 *   `ConsumedCapacity` from the answer (table and each index). DynamoDB Local does not check
 *   the SigV4 signature against the changed body (tried: it answers 200), and the caller
 *   ignores the extra answer field, so the function under test runs unmodified;
 * - for writes (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems), reads
 *   each written item before and after (consistent GetItem, straight to DynamoDB Local, not
 *   counted) and charges the write units by DynamoDB's documented rules (`capacity-rules.ts`),
 *   per table and index and per partition key written.
 *
 * DynamoDB Local's figure differs from the rules in places (it doubles index writes made in a
 * transaction, and reports nothing for failed conditional writes): the reports show both and
 * apply the rules.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { localDynamoDbClient } from '../local/dynamodb-local';
import { type LoopbackProxy, startLoopbackProxy, type UpstreamAnswer } from '../stand-ins/loopback-proxy';
import { type Item, type ItemWrite, type TableShape, type WriteCharge, writeCharges } from './capacity-rules';

/** DynamoDB Local's `ConsumedCapacity` for one request, summed over its tables. */
export interface LocalCapacity {
  readonly total: number;
  readonly table: number;
  readonly indexes: Readonly<Record<string, number>>;
}

export interface CapacityRecord {
  /** The operation (`x-amz-target` without the service prefix). */
  readonly operation: string;
  readonly status: number;
  /** Write units by DynamoDB's rules, per item written (empty for reads and server errors). */
  readonly charges: readonly WriteCharge[];
  /** What DynamoDB Local reported (`undefined`: nothing, e.g. a failed conditional write). */
  readonly local: LocalCapacity | undefined;
  /** Whether this operation reads (its Local figure is read units). */
  readonly read: boolean;
}

export interface CapacityProxy extends LoopbackProxy {
  /** Every request seen so far, in the order the answers came. */
  readonly records: readonly CapacityRecord[];
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

interface PlannedWrite {
  readonly key: Item;
  readonly kind: ItemWrite['kind'];
  readonly transactional: boolean;
}

type Json = Record<string, unknown>;

function keyOf(item: Item, table: TableShape): Item {
  const key: Item = {};
  for (const name of [table.partitionKey, table.sortKey]) {
    const v = name === undefined ? undefined : item[name];
    if (name !== undefined && v !== undefined) key[name] = v;
  }
  return key;
}

/** The items a write request touches in `tableName`, from the request alone. */
export function plannedWrites(operation: string, request: Json, tableName: string, table: TableShape): PlannedWrite[] {
  const out: PlannedWrite[] = [];
  const add = (action: Json | undefined, kind: PlannedWrite['kind'], transactional: boolean) => {
    if (!action || action.TableName !== tableName) return;
    const key = kind === 'put' ? keyOf((action.Item ?? {}) as Item, table) : ((action.Key ?? {}) as Item);
    out.push({ key, kind, transactional });
  };
  if (operation === 'PutItem') add(request, 'put', false);
  else if (operation === 'UpdateItem') add(request, 'update', false);
  else if (operation === 'DeleteItem') add(request, 'delete', false);
  else if (operation === 'TransactWriteItems') {
    for (const t of (request.TransactItems ?? []) as Json[]) {
      add(t.Put as Json | undefined, 'put', true);
      add(t.Update as Json | undefined, 'update', true);
      add(t.Delete as Json | undefined, 'delete', true);
    }
  } else if (operation === 'BatchWriteItem') {
    const requests = ((request.RequestItems ?? {}) as Record<string, Json[]>)[tableName] ?? [];
    for (const r of requests) {
      const put = r.PutRequest as Json | undefined;
      const del = r.DeleteRequest as Json | undefined;
      if (put) out.push({ key: keyOf((put.Item ?? {}) as Item, table), kind: 'put', transactional: false });
      if (del) out.push({ key: (del.Key ?? {}) as Item, kind: 'delete', transactional: false });
    }
  }
  return out;
}

/** DynamoDB Local's `ConsumedCapacity` (one object or a list of them) summed. */
export function localCapacity(answer: Json): LocalCapacity | undefined {
  const raw = answer.ConsumedCapacity;
  if (raw === undefined) return undefined;
  const list = (Array.isArray(raw) ? raw : [raw]) as Json[];
  let total = 0;
  let table = 0;
  const indexes: Record<string, number> = {};
  for (const c of list) {
    total += Number(c.CapacityUnits ?? 0);
    table += Number((c.Table as Json | undefined)?.CapacityUnits ?? 0);
    for (const [name, v] of Object.entries((c.GlobalSecondaryIndexes ?? {}) as Record<string, Json>)) {
      indexes[name] = (indexes[name] ?? 0) + Number(v.CapacityUnits ?? 0);
    }
  }
  return { total, table, indexes };
}

/**
 * Starts the proxy in front of DynamoDB Local at `upstream`, accounting the writes to
 * `tableName` (whose layout `table` gives).
 *
 * @example
 * const proxy = await startCapacityProxy(ddb.endpoint, 'postbacks', tableShape(TABLE_DEFINITION));
 * env.AWS_ENDPOINT_URL_DYNAMODB = proxy.endpoint;
 * // … run the function …
 * summarizeCapacity(proxy.records).wruRules;
 */
export async function startCapacityProxy(upstream: string, tableName: string, table: TableShape): Promise<CapacityProxy> {
  const records: CapacityRecord[] = [];
  const reader = localDynamoDbClient(upstream);
  const images = (planned: readonly PlannedWrite[]) =>
    Promise.all(
      planned.map((p) => reader.send(new GetItemCommand({ TableName: tableName, Key: p.key, ConsistentRead: true })).then((r) => r.Item)),
    );

  const proxy = await startLoopbackProxy(upstream, (x) => {
    const { operation } = x;
    let request: Json;
    try {
      request = JSON.parse(x.body.toString('utf8')) as Json;
    } catch {
      x.forward((answer) => x.relay(answer));
      return;
    }
    const body = Buffer.from(JSON.stringify({ ...request, ReturnConsumedCapacity: 'INDEXES' }));
    const planned = WRITES.has(operation) ? plannedWrites(operation, request, tableName, table) : [];
    const run = async () => {
      const before = await images(planned);
      const answer = await new Promise<UpstreamAnswer>((resolve) => x.forward(resolve, body));
      let parsed: Json = {};
      try {
        parsed = JSON.parse(answer.body.toString('utf8')) as Json;
      } catch {
        parsed = {};
      }
      const type = String(parsed.__type ?? '');
      const failed = /ConditionalCheckFailed|TransactionCanceled/.test(type);
      const charges: WriteCharge[] = [];
      if (answer.status === 200 || failed) {
        const after = failed ? before : await images(planned);
        planned.forEach((p, i) => {
          charges.push(...writeCharges(table, { ...p, before: before[i], after: after[i], failed }));
        });
      }
      records.push({ operation, status: answer.status, charges, local: localCapacity(parsed), read: READS.has(operation) });
      x.relay(answer);
    };
    run().catch((error: unknown) => {
      // Accounting broke (not the request): say so, and fail the caller's request like a network would.
      process.stderr.write(`capacity proxy: ${(error as Error)?.message ?? String(error)}\n`);
      x.req.socket.destroy();
    });
  });
  return {
    endpoint: proxy.endpoint,
    records,
    close: async () => {
      await proxy.close();
      reader.destroy();
    },
  };
}

/** Write units by target (`table` or an index) and by partition key, by the rules. */
export type Heat = Map<string, Map<string, number>>;

export interface CapacitySummary {
  /** Write units by DynamoDB's rules, all targets. */
  readonly wruRules: number;
  /** Write units DynamoDB Local reported. */
  readonly wruLocal: number;
  /** Read units DynamoDB Local reported. */
  readonly rruLocal: number;
  /** Per target: units by the rules and by DynamoDB Local. */
  readonly byTarget: Readonly<Record<string, { rules: number; local: number }>>;
  /** The rules applied, each with how often. */
  readonly rules: Readonly<Record<string, number>>;
  readonly heat: Heat;
}

/**
 * Sums records (e.g. those of one postback: `proxy.records.slice(mark)`).
 *
 * @example
 * const mark = proxy.records.length; await invoke(); summarizeCapacity(proxy.records.slice(mark));
 */
export function summarizeCapacity(records: readonly CapacityRecord[]): CapacitySummary {
  let wruRules = 0;
  let wruLocal = 0;
  let rruLocal = 0;
  const byTarget: Record<string, { rules: number; local: number }> = {};
  const rules: Record<string, number> = {};
  const heat: Heat = new Map();
  const target = (name: string) => {
    byTarget[name] ??= { rules: 0, local: 0 };
    return byTarget[name];
  };
  for (const r of records) {
    if (r.local) {
      if (r.read) rruLocal += r.local.total;
      else {
        wruLocal += r.local.total;
        target('table').local += r.local.table;
        for (const [name, units] of Object.entries(r.local.indexes)) target(name).local += units;
      }
    }
    for (const c of r.charges) {
      wruRules += c.units;
      target(c.target).rules += c.units;
      const rule = c.rule.replace(/\d+ B/g, 'n B');
      rules[rule] = (rules[rule] ?? 0) + 1;
      let keys = heat.get(c.target);
      if (!keys) {
        keys = new Map();
        heat.set(c.target, keys);
      }
      keys.set(c.partitionKey, (keys.get(c.partitionKey) ?? 0) + c.units);
    }
  }
  return { wruRules, wruLocal, rruLocal, byTarget, rules, heat };
}
