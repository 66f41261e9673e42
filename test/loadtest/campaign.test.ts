/**
 * The partition-heat verdicts of `npm run loadtest -- --campaign`: write units measured over
 * a sample, scaled to the simulated rate, against DynamoDB's per-partition-key limit
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html)
 * and the warm throughput of the table and each index.
 */
import { assessHeat } from '../../loadtest/campaign';
import type { Heat } from '../../loadtest/capacity-proxy';

const heat = (entries: Record<string, Record<string, number>>): Heat =>
  new Map(Object.entries(entries).map(([target, keys]) => [target, new Map(Object.entries(keys))]));

describe('assessHeat', () => {
  it('scales the units of each key to the rate and flags a key over 1,000 WCU/s', () => {
    // 400 postbacks put 600 units on one index key: 1.5 per postback, 3,000 WCU/s at 2,000/s.
    const result = assessHeat('campaign', heat({ byClientReference: { 'campaign-1': 600 } }), 400, 2000, {});
    expect(result.targets[0]?.hottest[0]).toMatchObject({ partitionKey: 'campaign-1', wcuPerSecond: 3000 });
    expect(result.problems).toEqual([expect.stringContaining('byClientReference key campaign-1 needs 3000 WCU/s')]);
  });

  it('passes the same load spread over 16 shard keys', () => {
    const shards = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`digest#${String(i).padStart(2, '0')}`, 600 / 16]));
    expect(assessHeat('campaign', heat({ byClientReference: shards }), 400, 2000, {}).problems).toEqual([]);
  });

  it('flags a table or index that needs more than its warm throughput, even with cool keys', () => {
    const keys = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`MSG#${i}`, 5]));
    const result = assessHeat('campaign', heat({ table: keys }), 400, 2000, {}, { perKey: 1000, warm: 4000 });
    expect(result.targets[0]?.wcuPerSecond).toBe(10_000);
    expect(result.problems).toEqual([expect.stringContaining('campaign: table needs 10000 WCU/s, more than its warm throughput (4000)')]);
  });

  it('lists the hottest keys first', () => {
    const result = assessHeat('burst', heat({ table: { a: 1, b: 7, c: 3 } }), 10, 10, {});
    expect(result.targets[0]?.hottest.map((k) => k.partitionKey)).toEqual(['b', 'c', 'a']);
  });
});
