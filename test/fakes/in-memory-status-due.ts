import type { WaitingMessage } from '../../lambda/domain/status-unknown';
import type { DuePage, StatusDueSource } from '../../lambda/ports';
import { shardOf } from '../../lambda/table/shards';

/**
 * An in-memory {@link StatusDueSource} for unit tests, with the paging of the DynamoDB one
 * (`lambda/adapters/dynamodb-status-due.ts`): the waiting messages of a shard (the shard of
 * the tracking-id) whose wait is over at `now`, oldest due first, `limit` per page.
 *
 * @example
 * const due = new InMemoryStatusDue([{ trackingId: 'abc', waitStartedAt, dueAt }]);
 */
export class InMemoryStatusDue implements StatusDueSource {
  /** Pages read, per shard. */
  readonly reads = new Map<string, number>();

  constructor(private readonly waiting: readonly WaitingMessage[]) {}

  async duePage(shard: string, now: Date, limit: number, startKey?: Record<string, unknown>): Promise<DuePage> {
    this.reads.set(shard, (this.reads.get(shard) ?? 0) + 1);
    const due = this.waiting
      .filter((m) => shardOf(m.trackingId) === shard && m.dueAt.getTime() <= now.getTime())
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
    const from = typeof startKey?.offset === 'number' ? startKey.offset : 0;
    const messages = due.slice(from, from + limit);
    return { messages, nextKey: from + limit < due.length ? { offset: from + limit } : undefined };
  }
}
