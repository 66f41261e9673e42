import type { InvocationTime } from '../../lambda/ingest/ingest-postback';

/** How a retry waits. */
export type Sleep = (ms: number) => Promise<void>;

/**
 * A clock that moves only when something sleeps: `sleep` records the delay and advances
 * the clock at once, so that a retry policy runs in microseconds and its delays can be
 * asserted. `invocation(ms)` is the remaining time of an invocation that started now with
 * `ms` to run, measured on this clock.
 *
 * @example
 * const time = new FakeTime(new Date('2026-04-24T18:30:00Z'));
 * await time.sleep(100);
 * time.sleeps; // [100]
 * time.now(); // 2026-04-24T18:30:00.100Z
 */
export class FakeTime {
  /** Every delay slept, in order. */
  readonly sleeps: number[] = [];
  private epochMs: number;

  constructor(start: Date = new Date('2026-04-24T18:30:00Z')) {
    this.epochMs = start.getTime();
  }

  /** The current time (a clock to inject). */
  readonly now = (): Date => new Date(this.epochMs);

  /** Sleeps without waiting: records `ms` and moves the clock on. */
  readonly sleep: Sleep = async (ms) => {
    this.sleeps.push(ms);
    this.epochMs += ms;
  };

  /** Moves the clock on. */
  advance(ms: number): void {
    this.epochMs += ms;
  }

  /** An invocation that started now with `timeoutMs` to run (a Lambda `Context`'s remaining time, on this clock). */
  invocation(timeoutMs: number): InvocationTime {
    const deadline = this.epochMs + timeoutMs;
    return { getRemainingTimeInMillis: () => deadline - this.epochMs };
  }
}
