import type { Context } from 'aws-lambda';
import { UnavailableError } from '../errors';
import type { CallOptions } from '../ports';

/**
 * How the time of an invocation is shared out, as time left before the function's
 * deadline (`context.getRemainingTimeInMillis()`). Every AWS call made on behalf of an
 * invocation is given an `abortSignal` that fires when only its reserve is left, and is
 * abandoned then ({@link untilDeadline}), so that a stalled or slow service ends in a 503
 * with `Retry-After` before the deadline, never in a Lambda timeout or a 500. The signal is
 * not handed to the SDK (`send(command, { abortSignal })`): a `send` with options makes the
 * SDK rebuild the command's middleware stack instead of using its cache (see
 * `aws-clients.ts`). An abandoned request ends on its own, bounded by the client's request
 * timeout and attempts.
 *
 * The signals are passed explicitly through the ports (`CallOptions`), not through an
 * `AsyncLocalStorage`: on Node 20 and 22 its async hook runs on every promise, and the AWS
 * SDK makes many; measured, it more than doubled the CPU of a postback.
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

/**
 * The options of the AWS calls made for an invocation: an `abortSignal` that fires when
 * `reserveMs` are left before the invocation's deadline (already aborted when less is
 * left). Without a context (module init), no bound but the client's timeouts.
 *
 * @example
 * await untilDeadline(client.send(new PutItemCommand(input)), callOptions(context, TIME_RESERVE_MS.beforePublish));
 */
export function callOptions(
  context: Pick<Context, 'getRemainingTimeInMillis'> | undefined,
  reserveMs: number = TIME_RESERVE_MS.beforePublish,
): CallOptions {
  if (context?.getRemainingTimeInMillis === undefined) return {};
  const left = context.getRemainingTimeInMillis() - reserveMs;
  if (left <= 0) return { abortSignal: AbortSignal.abort(new DeadlineError(reserveMs)) };
  return { abortSignal: AbortSignal.timeout(left) };
}

/** The reason of a call abandoned before it started: the invocation had no time left for it. */
export class DeadlineError extends Error {
  constructor(reserveMs: number) {
    super(`less than ${reserveMs} ms of the invocation left`);
    this.name = 'DeadlineError';
  }
}

/**
 * Waits for `work` no longer than `options` allow (see {@link callOptions}); `work` itself
 * goes on. How every AWS call of an invocation is bounded (the SDK's call is abandoned, not
 * aborted, so that the SDK keeps its cached middleware stack), and for work shared between
 * invocations, such as a cached secret fetch, that one invocation's deadline must not cancel.
 *
 * @example
 * const output = await untilDeadline(client.send(new PutItemCommand(input)), callOptions(context));
 * const secrets = await untilDeadline(cachedFetch, callOptions(context));
 */
export function untilDeadline<T>(work: Promise<T>, options: CallOptions = {}): Promise<T> {
  const { abortSignal } = options;
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
 * that (see {@link callOptions}): this is the net for anything else.
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
