import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'aws-lambda';
import { UnavailableError } from '../errors';

/**
 * How the time of an invocation is shared out, as time left before the function's
 * deadline (`context.getRemainingTimeInMillis()`). Every AWS call made on behalf of an
 * invocation carries an `abortSignal` (AWS SDK v3 `send(command, { abortSignal })`) that
 * fires when only its reserve is left, so that a stalled or slow service ends in a 503
 * with `Retry-After` before the deadline, never in a Lambda timeout or a 500.
 *
 * With the default 10 s function timeout: the work up to publishing may use 7.5 s; the
 * write that marks a published event may use the time up to the last second; the answer
 * is due half a second before the deadline (middy's early timeout answers 503 there if
 * anything else hangs).
 */
export const TIME_RESERVE_MS = {
  /** Left when the calls up to publishing are abandoned: time to mark a published event. */
  beforePublish: 2_500,
  /** Left when the writes after the publish attempt (mark published, or give the lease up) are abandoned. */
  afterPublish: 1_000,
  /** Left for the answer itself: middy's `timeoutEarlyInMillis`. */
  answer: 500,
} as const;

const scope = new AsyncLocalStorage<Pick<Context, 'getRemainingTimeInMillis'>>();

/** Lambda's handler signature, as middy builds it. */
type Handler<E, R> = (event: E, context: Context) => Promise<R>;

/**
 * Runs every invocation of `handler` in a scope that knows its deadline, so that AWS
 * calls made anywhere during it (middlewares included) can be bounded by
 * {@link awsCallOptions}. Each invocation has its own scope, also when one process runs
 * several at once (the local run).
 *
 * @example
 * export const handler = withInvocationDeadline(middy().use(...).handler(ingest));
 */
export function withInvocationDeadline<E, R>(handler: Handler<E, R>): Handler<E, R> {
  return (event, context) => scope.run(context, () => handler(event, context));
}

/**
 * The options of one AWS SDK call: an `abortSignal` that fires when `reserveMs` are left
 * of the current invocation (already aborted when less is left). Outside an invocation
 * (module init, tests of an adapter alone) there is no bound but the client's timeouts.
 *
 * @example
 * await client.send(new PutItemCommand(input), awsCallOptions(TIME_RESERVE_MS.beforePublish));
 */
export function awsCallOptions(reserveMs: number = TIME_RESERVE_MS.beforePublish): { abortSignal?: AbortSignal } {
  const context = scope.getStore();
  if (context === undefined) return {};
  const left = context.getRemainingTimeInMillis() - reserveMs;
  if (left <= 0) return { abortSignal: AbortSignal.abort(new DeadlineError(reserveMs)) };
  return { abortSignal: AbortSignal.timeout(left) };
}

/** Milliseconds left before `reserveMs` remain of the current invocation (`Infinity` outside one). */
export function timeLeftMs(reserveMs: number): number {
  const context = scope.getStore();
  return context === undefined ? Number.POSITIVE_INFINITY : context.getRemainingTimeInMillis() - reserveMs;
}

/** The reason of a call abandoned before it started: the invocation had no time left for it. */
export class DeadlineError extends Error {
  constructor(reserveMs: number) {
    super(`less than ${reserveMs} ms of the invocation left`);
    this.name = 'DeadlineError';
  }
}

/**
 * Waits for `work` no longer than the current invocation allows (until `reserveMs` are
 * left); `work` itself goes on. For work shared between invocations, such as a cached
 * secret fetch, that one invocation's deadline must not cancel.
 *
 * @example
 * const secrets = await untilDeadline(cachedFetch, TIME_RESERVE_MS.beforePublish);
 */
export function untilDeadline<T>(work: Promise<T>, reserveMs: number = TIME_RESERVE_MS.beforePublish): Promise<T> {
  const { abortSignal } = awsCallOptions(reserveMs);
  if (abortSignal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortSignal.reason);
    if (abortSignal.aborted) return onAbort();
    abortSignal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        abortSignal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        abortSignal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * middy's early timeout: if the handler is still running when only the answer's reserve
 * is left, the answer is the same 503 with `Retry-After` as for any other server-side
 * failure (middy's default would be a `TimeoutError`, a 500). Every AWS call ends before
 * that (see {@link awsCallOptions}): this is the net for anything else.
 *
 * @example
 * middy(middyDeadlineOptions()).use(errorResponder({ logger, retryAfterSeconds: 5 }));
 */
export function middyDeadlineOptions() {
  return {
    timeoutEarlyInMillis: TIME_RESERVE_MS.answer,
    timeoutEarlyResponse: (): never => {
      throw new UnavailableError('the invocation ran out of time', 'deadline');
    },
  };
}
