import { createHash } from 'node:crypto';

/**
 * Write shards of every key a burst can share. At 2,000 postbacks/s that all carry one
 * client reference, each shard of its index key takes 2,000 / 16 = 125 index writes/s
 * (at most 1 KB each), far below the 1,000 WCU/s of one partition key
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html).
 */
export const SHARD_COUNT = 16;

/** The shard suffixes `00` … `15`, in order: what a reader fans out over. */
export const SHARDS: readonly string[] = Array.from({ length: SHARD_COUNT }, (_, i) => String(i).padStart(2, '0'));

/**
 * The write shard of a value: a stable hash (first 32 bits of its SHA-256) modulo
 * {@link SHARD_COUNT}, as two digits. The same value always lands on the same shard.
 * Status-due and client-reference shards of the
 * tracking-id, rejected-record shards of the request id.
 *
 * @example
 * shardOf('abc123xyz'); // '10' (always the same for this value)
 */
export function shardOf(value: string): string {
  const hash = createHash('sha256').update(value, 'utf8').digest().readUInt32BE(0);
  return SHARDS[hash % SHARD_COUNT] as string;
}

/**
 * Runs `read` on every shard at once and gives the results in shard order: the one fan-out
 * of a reader over the {@link SHARDS} (a sharded index, the rejected records of a day).
 * Every shard is read to its end even when one fails. Without `onShardFailed`, the first
 * failure (in shard order) rejects; with it, a failed shard is reported and left out.
 *
 * @example
 * const perShard = await acrossShards((shard) => queryShard(shard));
 * const merged = perShard.flat().sort();
 */
export async function acrossShards<T>(
  read: (shard: string) => Promise<T>,
  onShardFailed?: (shard: string, error: unknown) => void,
): Promise<T[]> {
  const settled = await Promise.allSettled(SHARDS.map(read));
  const results: T[] = [];
  for (const [i, outcome] of settled.entries()) {
    if (outcome.status === 'fulfilled') results.push(outcome.value);
    else if (onShardFailed) onShardFailed(SHARDS[i] as string, outcome.reason);
    else throw outcome.reason;
  }
  return results;
}
