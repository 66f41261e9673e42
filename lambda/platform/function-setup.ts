import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { tracingMiddlewares } from './tracing';

/** The Powertools of one function: its logger, and its metrics and tracer when it has them. */
export interface FunctionTelemetry {
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /** Absent when tracing is off. */
  readonly tracer?: Tracer;
}

/** The Powertools of a function that counts what it does, and its clock: what the ingest and sweep factories share. */
export interface MeasuredFunctionDeps extends FunctionTelemetry {
  readonly metrics: Metrics;
  /** Records the invocation and, through the clients it captured, every AWS call; absent when tracing is off. */
  readonly tracer?: Tracer;
  /** The time source; tests pass a fixed clock. */
  readonly clock?: () => Date;
}

/**
 * The one middy setup every function starts from, in this order: the invocation's trace
 * subsegment (when tracing is on), the Lambda context in every log line (keys appended
 * during an invocation reset after it), and the metrics flushed as one EMF line per
 * invocation. Each handler factory adds its own middlewares after these (the HTTP
 * functions their error answers and authentication).
 *
 * @example
 * return functionMiddy<DynamoDBStreamEvent, DynamoDBBatchResponse>({ logger, metrics, tracer }).handler(publish);
 */
export function functionMiddy<Event, Result>(telemetry: FunctionTelemetry, options?: middy.PluginObject) {
  const handler = middy<Event, Result, Error, Context>(options)
    .use(tracingMiddlewares(telemetry.tracer))
    .use(injectLambdaContext(telemetry.logger, { resetKeys: true }));
  return telemetry.metrics === undefined ? handler : handler.use(logMetrics(telemetry.metrics));
}
