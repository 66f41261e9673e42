import { once } from 'node:events';
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { errorResponder } from '../../../lambda/http/middlewares';
import {
  awsCallOptions,
  DeadlineError,
  middyDeadlineOptions,
  TIME_RESERVE_MS,
  untilDeadline,
  withInvocationDeadline,
} from '../../../lambda/runtime/deadline';
import { apiGatewayEvent } from '../../helpers/api-gateway-event';
import { lambdaContext } from '../../helpers/lambda-context';

/** A context whose deadline is `ms` away. */
function contextWithin(ms: number): Context {
  const deadline = Date.now() + ms;
  return lambdaContext({ getRemainingTimeInMillis: () => deadline - Date.now() });
}

/** Runs `fn` as the body of an invocation with `ms` left. */
function during<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  return withInvocationDeadline<unknown, T>(async () => fn())({}, contextWithin(ms));
}

describe('awsCallOptions', () => {
  it('gives no signal outside an invocation (module init): the client timeouts bound the call', () => {
    expect(awsCallOptions()).toEqual({});
  });

  it('gives an aborted signal when less than the reserve is left', async () => {
    const { abortSignal } = await during(100, async () => awsCallOptions(TIME_RESERVE_MS.beforePublish));
    expect(abortSignal?.aborted).toBe(true);
    expect(abortSignal?.reason).toBeInstanceOf(DeadlineError);
  });

  it('gives a signal that aborts when only the reserve is left', async () => {
    const signal = await during(1_050, async () => awsCallOptions(1_000).abortSignal);
    expect(signal?.aborted).toBe(false);
    await once(signal as AbortSignal, 'abort');
    expect(signal?.aborted).toBe(true);
  });

  it('keeps the deadline of each invocation apart when several run at once', async () => {
    const [short, long] = await Promise.all([
      during(600, async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return awsCallOptions(TIME_RESERVE_MS.afterPublish).abortSignal;
      }),
      during(60_000, async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return awsCallOptions(TIME_RESERVE_MS.afterPublish).abortSignal;
      }),
    ]);
    expect(short?.aborted).toBe(true);
    expect(long?.aborted).toBe(false);
  });
});

describe('untilDeadline', () => {
  it('stops waiting when only the reserve is left, and leaves the work to finish for others', async () => {
    let finish: (value: string) => void = () => undefined;
    const work = new Promise<string>((resolve) => {
      finish = resolve;
    });

    await expect(during(1_100, () => untilDeadline(work, 1_000))).rejects.toBeDefined();
    finish('done');
    await expect(during(60_000, () => untilDeadline(work, 1_000))).resolves.toBe('done');
  });
});

describe('middyDeadlineOptions', () => {
  it('answers 503 with Retry-After, not 500, when the handler is still busy at the early timeout', async () => {
    const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
    const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>(middyDeadlineOptions())
      .use(errorResponder({ logger, retryAfterSeconds: 3 }))
      .handler(() => new Promise<APIGatewayProxyResult>(() => undefined)); // never answers

    const result = await handler(apiGatewayEvent(), contextWithin(TIME_RESERVE_MS.answer + 100));

    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('3');
    expect(JSON.parse(result.body)).toEqual({ error: 'unavailable' });
  });
});
