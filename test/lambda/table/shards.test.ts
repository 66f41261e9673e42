import { acrossShards, SHARD_COUNT, SHARDS, shardOf } from '../../../lambda/table/shards';

describe('shardOf', () => {
  it('is stable and always one of the 16 two-digit shards', () => {
    expect(SHARDS).toEqual(['00', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12', '13', '14', '15']);
    for (const value of ['', 'a', 'abc123xyz', '漢字', '\u{1F600}', 'x'.repeat(1000)]) {
      expect(SHARDS).toContain(shardOf(value));
      expect(shardOf(value)).toBe(shardOf(value));
    }
  });

  it('spreads similar ids evenly: each shard gets 1/16 of 16,000 ids within 10%', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 16_000; i++) counts.set(shardOf(`msg-${i}`), (counts.get(shardOf(`msg-${i}`)) ?? 0) + 1);
    expect(counts.size).toBe(SHARD_COUNT);
    for (const count of counts.values()) expect(Math.abs(count - 1000)).toBeLessThan(100);
  });
});

describe('acrossShards', () => {
  it('reads every shard once and gives the results in shard order', async () => {
    const read: string[] = [];
    const results = await acrossShards(async (shard) => {
      read.push(shard);
      return `r${shard}`;
    });
    expect(read.sort()).toEqual([...SHARDS]);
    expect(results).toEqual(SHARDS.map((shard) => `r${shard}`));
  });

  it('rejects with the first failure once every shard has been read', async () => {
    const finished: string[] = [];
    const outcome = acrossShards(async (shard) => {
      if (shard === '03' || shard === '09') throw new Error(`shard ${shard} failed`);
      finished.push(shard);
      return shard;
    });
    await expect(outcome).rejects.toThrow('shard 03 failed');
    expect(finished).toHaveLength(SHARD_COUNT - 2);
  });

  it('with onShardFailed, reports each failed shard and leaves it out', async () => {
    const failed: string[] = [];
    const results = await acrossShards(
      async (shard) => {
        if (shard === '07') throw new Error('throttled');
        return shard;
      },
      (shard, error) => failed.push(`${shard}: ${(error as Error).message}`),
    );
    expect(failed).toEqual(['07: throttled']);
    expect(results).toEqual(SHARDS.filter((shard) => shard !== '07'));
  });
});
