import { once } from 'node:events';
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { errorResponder } from '../../../lambda/http/middlewares';
import { callOptions, DeadlineError, middyDeadlineOptions, TIME_RESERVE_MS, untilDeadline } from '../../../lambda/platform/deadline';
import { apiGatewayEvent } from '../../helpers/api-gateway-event';
import { UNAVAILABLE_BODY } from '../../helpers/error-bodies';
import { lambdaContext } from '../../helpers/lambda-context';

/** A context whose deadline is `ms` away. */
function contextWithin(ms: number): Context {
  const deadline = Date.now() + ms;
  return lambdaContext({ getRemainingTimeInMillis: () => deadline - Date.now() });
}

describe('callOptions', () => {
  it('gives no signal without an invocation (module init): the client timeouts bound the call', () => {
    expect(callOptions(undefined)).toEqual({});
  });

  it('gives an aborted signal when less than the reserve is left', () => {
    const { abortSignal } = callOptions(contextWithin(100), TIME_RESERVE_MS.beforePublish);
    expect(abortSignal?.aborted).toBe(true);
    expect(abortSignal?.reason).toBeInstanceOf(DeadlineError);
  });

  it('gives a signal that aborts when only the reserve is left', async () => {
    const { abortSignal } = callOptions(contextWithin(1_050), 1_000);
    expect(abortSignal?.aborted).toBe(false);
    await once(abortSignal as AbortSignal, 'abort');
    expect(abortSignal?.aborted).toBe(true);
  });
});

describe('untilDeadline', () => {
  it('stops waiting when only the reserve is left, and leaves the work to finish for others', async () => {
    let finish: (value: string) => void = () => undefined;
    const work = new Promise<string>((resolve) => {
      finish = resolve;
    });

    // The reason of AbortSignal.timeout: a DOMException named TimeoutError.
    await expect(untilDeadline(work, callOptions(contextWithin(1_100), 1_000))).rejects.toMatchObject({ name: 'TimeoutError' });
    finish('done');
    await expect(untilDeadline(work, callOptions(contextWithin(60_000), 1_000))).resolves.toBe('done');
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
    expect(JSON.parse(result.body)).toEqual(UNAVAILABLE_BODY);
  });
});
