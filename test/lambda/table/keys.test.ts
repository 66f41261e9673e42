import { toInstant } from '../../../lambda/domain/timestamp';
import { ATTRIBUTE } from '../../../lambda/table/attributes';
import { historyKey, itemKeyOf, itemTypeOf, keyAttributes, rejectedKey, rejectedPartitionKey, stateKey } from '../../../lambda/table/keys';
import { shardOf } from '../../../lambda/table/shards';

describe('rejectedKey', () => {
  it('puts a record in the partition of its UTC day and its request id shard, sorted by receipt time', () => {
    expect(rejectedKey(new Date('2026-04-24T23:59:59.999-01:00'), 'req-1')).toEqual({
      pk: `REJECTED#2026-04-25#${shardOf('req-1')}`,
      sk: '2026-04-25T00:59:59.999Z#req-1',
    });
  });
});

describe('item types', () => {
  it('tells the state, a history entry and a rejected record apart by their keys', () => {
    const instant = toInstant('2026-04-24T18:30:00Z');
    if (!instant) throw new Error('the fixture timestamp does not parse');
    const history = keyAttributes(historyKey({ trackingId: 'abc123xyz', instant, postbackId: 'p-1' }));
    const rejected = rejectedKey(new Date('2026-04-24T18:30:00Z'), 'req-1');

    expect(itemTypeOf(keyAttributes(stateKey('abc123xyz')))).toEqual({ type: 'state', trackingId: 'abc123xyz' });
    expect(itemTypeOf(history)).toEqual({ type: 'history', trackingId: 'abc123xyz' });
    expect(itemKeyOf(history).sk).toBe(`H#${instant.key}#p-1`);
    expect(itemTypeOf({ [ATTRIBUTE.partitionKey]: { S: rejected.pk }, [ATTRIBUTE.sortKey]: { S: rejected.sk } })).toEqual({
      type: 'rejected',
    });
    expect(itemTypeOf({ [ATTRIBUTE.partitionKey]: { S: 'OTHER#1' }, [ATTRIBUTE.sortKey]: { S: 'STATE' } })).toBeUndefined();
    expect(rejected.pk).toBe(rejectedPartitionKey('2026-04-24', shardOf('req-1')));
  });
});
