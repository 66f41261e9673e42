/**
 * The status-unknown sweep's use case: for every shard of the `byStatusDue` index, page
 * through the messages whose wait for a final postback is over and, for each still not
 * final, save the synthetic `MMS Status Unknown` postback and state in one transaction
 * (only while the state is still not final). Its event follows from the table's stream,
 * like any postback's. Plain code on ports; the clock and the time left are injected.
 */

import { statusUnknownRecord, type WaitingMessage } from '../domain/status-unknown';
import type { CallOptions, StatusDueSource, StatusUnknownStore } from '../ports';
import { acrossShards } from '../table/shards';

/** What one run did. */
export interface SweepResult {
  /** Messages declared unknown (their synthetic entry saved; the stream publishes it). */
  marked: number;
  /** Messages that got a final postback first (nothing written). */
  superseded: number;
  /** Messages already declared unknown, or being declared so by a concurrent write. */
  alreadyDone: number;
  /** Messages that failed (left due for the next run). */
  failed: number;
  /** Whether the run stopped at its budget (messages or time) with due messages possibly left. */
  more: boolean;
}

/** What the use case reports as it goes, told by the handler through logs. */
export interface SweepObserver {
  messageFailed?(trackingId: string, error: unknown): void;
  shardFailed?(shard: string, error: unknown): void;
}

export interface StatusUnknownSweepDeps {
  readonly due: StatusDueSource;
  readonly store: StatusUnknownStore;
  /** The most messages one run marks unknown. */
  readonly maxPerRun: number;
  /** Index entries per Query. */
  readonly pageSize: number;
  /** False once the run must stop taking new messages (the handler asks its invocation). @default always true */
  readonly hasTimeLeft?: () => boolean;
  /** The options of each write (the abort signal of the invocation's deadline). */
  readonly callOptions?: () => CallOptions;
  readonly clock?: () => Date;
  readonly observer?: SweepObserver;
}

/**
 * @example
 * const result = await createStatusUnknownSweepRun({ due, store, maxPerRun: 20_000, pageSize: 50 })();
 */
export function createStatusUnknownSweepRun(deps: StatusUnknownSweepDeps) {
  const clock = deps.clock ?? (() => new Date());
  const hasTimeLeft = deps.hasTimeLeft ?? (() => true);
  const callOptions = deps.callOptions ?? (() => ({}));
  const observer = deps.observer ?? {};

  return async function run(): Promise<SweepResult> {
    const now = clock();
    const result: SweepResult = { marked: 0, superseded: 0, alreadyDone: 0, failed: 0, more: false };
    let budget = deps.maxPerRun;
    const outOfBudget = () => budget <= 0 || !hasTimeLeft();

    const markUnknown = async (message: WaitingMessage): Promise<void> => {
      const at = clock(); // one "now" for the record and its transaction
      const record = statusUnknownRecord(message, at);
      // The shards run concurrently: the budget is taken before the write (in the same turn
      // as the `outOfBudget` check) and given back when nothing was written, so that a run
      // never marks more than `maxPerRun` messages.
      budget--;
      let stored = false;
      try {
        const saved = await deps.store.saveStatusUnknown(record, at, callOptions());
        if (saved.outcome === 'superseded') result.superseded++;
        else if (saved.outcome !== 'stored') result.alreadyDone++;
        else stored = true;
      } finally {
        if (!stored) budget++;
      }
      if (stored) result.marked++;
    };

    const sweepShard = async (shard: string): Promise<void> => {
      let startKey: Record<string, unknown> | undefined;
      do {
        if (outOfBudget()) {
          result.more = true;
          return;
        }
        const page = await deps.due.duePage(shard, now, deps.pageSize, startKey);
        for (const message of page.messages) {
          if (outOfBudget()) {
            result.more = true;
            return;
          }
          try {
            await markUnknown(message);
          } catch (error) {
            result.failed++;
            observer.messageFailed?.(message.trackingId, error);
          }
        }
        startKey = page.nextKey;
      } while (startKey);
    };

    await acrossShards(sweepShard, (shard, error) => {
      result.more = true;
      observer.shardFailed?.(shard, error);
    });
    return result;
  };
}
