import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { HttpError, RejectedInputError, UnauthorizedError, UnavailableError, ValidationFailedError } from '../errors';
import { countWithBreakdown, DIMENSION, METRIC } from '../observability';
import { callOptions } from '../platform/deadline';
import type { PostbackStore, SecretSource } from '../ports';
import { header, presentedCredentials, rawBody } from './request';
import { jsonResponse } from './responses';

type ProxyMiddleware = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * The secrets' digests, computed once per fetched secret set: a secret source hands out the
 * same array until it fetches again, so the array is the key (and is let go with it).
 */
const secretDigests = new WeakMap<readonly string[], readonly Buffer[]>();

function digestsOf(secrets: readonly string[]): readonly Buffer[] {
  let digests = secretDigests.get(secrets);
  if (!digests) {
    digests = secrets.map(digest);
    secretDigests.set(secrets, digests);
  }
  return digests;
}

/** Constant-time: every presented credential is compared with every secret, with no early exit. */
export function matchesAny(presented: readonly string[], secrets: readonly string[]): boolean {
  const expected = digestsOf(secrets);
  let match = false;
  for (const candidate of presented) {
    const a = digest(candidate);
    for (const b of expected) match = timingSafeEqual(a, b) || match;
  }
  return match;
}

/**
 * Refuses the request with 401 unless it presents the shared secret (Basic password,
 * `X-Postback-Token` or `?token=`). Fails closed when no secret is configured.
 */
export function authenticate(options: { secrets: SecretSource; logger: Logger; metrics: Metrics }): ProxyMiddleware {
  return {
    before: async (request) => {
      const presented = presentedCredentials(request.event);
      let secrets: readonly string[];
      try {
        secrets = await options.secrets.secrets(callOptions(request.context));
      } catch (error) {
        throw new UnavailableError('could not read the postback secret', 'secret', { cause: error });
      }
      if (secrets.length === 0) {
        options.logger.error('No postback secret is configured (set POSTBACK_SECRET_ARN or POSTBACK_SECRET): refusing every request');
      } else if (presented.length > 0) {
        if (matchesAny(presented, secrets)) return;
        const refreshed = await options.secrets.refreshAfterMiss?.(callOptions(request.context)).catch(() => undefined);
        if (refreshed && matchesAny(presented, refreshed)) return;
      }
      options.metrics.addMetric(METRIC.unauthorized, MetricUnit.Count, 1);
      options.logger.warn('Unauthorized postback request', {
        sourceIp: request.event.requestContext?.identity?.sourceIp,
        credentialsPresented: presented.length,
      });
      throw new UnauthorizedError();
    },
  };
}

/**
 * Keeps a postback that authenticated but was refused (400, 413, 415) as a `rejected`
 * record for operators, since the provider does not retry 4xx answers. If it cannot be
 * kept, the answer becomes 503 so that the sender retries.
 */
export function keepRejected(options: {
  store: PostbackStore;
  logger: Logger;
  metrics: Metrics;
  maxBodyBytes: number;
  clock: () => Date;
}): ProxyMiddleware {
  return {
    onError: async (request) => {
      const error = request.error;
      if (!(error instanceof RejectedInputError)) return;
      const { event, context } = request;
      const body = rawBody(event, options.maxBodyBytes);
      try {
        await options.store.saveRejected(
          {
            requestId: event.requestContext?.requestId ?? context.awsRequestId,
            receivedAt: options.clock(),
            statusCode: error.statusCode,
            reason: error.errorCode,
            message: error.message,
            details: error instanceof ValidationFailedError ? error.details : undefined,
            contentType: header(event, 'content-type'),
            sourceIp: event.requestContext?.identity?.sourceIp,
            body: body.text,
            bodyBytes: body.kept,
            truncated: body.truncated,
          },
          callOptions(context),
        );
      } catch (cause) {
        options.metrics.addMetric(METRIC.storeFailed, MetricUnit.Count, 1);
        options.logger.error('Could not keep the refused postback; answering 503 so that the sender retries', {
          error: cause as Error,
        });
        request.error = new UnavailableError('could not keep the refused postback', 'store', { cause });
        return;
      }
      countWithBreakdown(options.metrics, METRIC.rejected, DIMENSION.reason, error.errorCode);
      // `message` is a key Powertools Logger reserves for the log message: the refusal's own text goes under `refusal`.
      options.logger.warn('Postback refused and kept as a rejected record', {
        reason: error.errorCode,
        statusCode: error.statusCode,
        refusal: error.message,
        bytes: body.bytes,
      });
    },
  };
}

/**
 * The request id the caller can quote: API Gateway's (`requestContext.requestId`, which API
 * Gateway also sends as the `x-amzn-RequestId` header of a REST API and writes in the access
 * log), or the Lambda request id when the function was invoked without API Gateway.
 */
export function requestIdOf(
  event: Pick<APIGatewayProxyEvent, 'requestContext'> | undefined,
  context: Pick<Context, 'awsRequestId'>,
): string {
  return event?.requestContext?.requestId ?? context.awsRequestId;
}

/** The `message` of a 5xx answer: the sender learns to retry, never internals. */
export const UNAVAILABLE_MESSAGE = 'the service is temporarily unavailable: retry after the Retry-After seconds';

/**
 * Maps every error to its JSON answer (the one place where errors become HTTP). Every error
 * body has `error`, a `message` that says what was wrong and the `requestId` (the function's
 * log lines carry it too, under `requestId`), so that a sender's ticket can be matched to a
 * log line. 5xx answers never carry internals; 401 adds `WWW-Authenticate`, 503 `Retry-After`.
 */
export function errorResponder(options: { logger: Logger; retryAfterSeconds: number }): ProxyMiddleware {
  return {
    before: (request) => {
      options.logger.appendKeys({ requestId: requestIdOf(request.event, request.context) });
    },
    onError: async (request) => {
      const error = request.error;
      const requestId = requestIdOf(request.event, request.context);
      if (error instanceof HttpError) {
        const headers: Record<string, string> = {};
        if (error.statusCode === 401) headers['www-authenticate'] = 'Basic realm="postbacks"';
        if (error.statusCode === 503) headers['retry-after'] = String(options.retryAfterSeconds);
        if (error.statusCode >= 500) {
          const reason = (error as UnavailableError).reason;
          // A transaction conflict is two copies of a postback racing, not a fault: WARN.
          const log = reason === 'conflict' ? options.logger.warn : options.logger.error;
          log.call(options.logger, 'Answering 503: the sender should retry', { reason, error });
        }
        const body = error.expose ? { message: error.message, ...error.body() } : { error: error.errorCode, message: UNAVAILABLE_MESSAGE };
        request.response = jsonResponse(error.statusCode, { ...body, requestId }, headers);
        return;
      }
      options.logger.error('Unexpected error', { error: error as Error });
      request.response = jsonResponse(500, { error: 'internal_error', message: 'the request failed', requestId });
    },
  };
}
