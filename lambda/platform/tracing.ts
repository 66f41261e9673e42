import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { type ConfigurableClient, configureClient } from './aws-clients';

/**
 * Powertools Tracer when tracing is enabled, else `undefined`.
 *
 * The Tracer is loaded only when it is used: loading it loads the X-Ray SDK, whose
 * automatic mode installs an async hook (`cls-hooked`) on every asynchronous operation of
 * the process as soon as it is loaded, enabled or not. With tracing off that hook costs
 * several milliseconds of CPU per postback for nothing (see docs/performance.md); the
 * bundle still contains the Tracer, evaluated on demand. The `require` of an ES module is
 * turned by esbuild into a lazy initialisation inside the bundle.
 *
 * @example
 * const tracer = createTracer('mms-postbacks', aws.tracingEnabled);
 * const dynamodb = traced(tracer, new DynamoDBClient(config));
 */
export function createTracer(serviceName: string, enabled: boolean): Tracer | undefined {
  if (!enabled) return undefined;
  // Loaded on demand (see above); esbuild bundles it as a lazy initialisation.
  const powertools = require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer');
  return new powertools.Tracer({ serviceName, enabled: true, captureHTTPsRequests: false });
}

/**
 * The client, configured for a function (`configureClient` of `aws-clients.ts`: one signer,
 * endpoints resolved once, and without the middleware that gives nothing when tracing is off),
 * with a subsegment recorded for each of its calls when there is a tracer.
 *
 * @example
 * const eventbridge = traced(tracer, new EventBridgeClient(config));
 */
export function traced<Client extends ConfigurableClient>(tracer: Tracer | undefined, client: Client): Client {
  const configured = configureClient(client, { tracing: tracer !== undefined });
  return tracer === undefined ? configured : tracer.captureAWSv3Client(configured);
}

/**
 * The middy middlewares that record the invocation as a subsegment (with its cold start,
 * errors and response), none without a tracer.
 *
 * @example
 * middy().use(tracingMiddlewares(tracer)).use(injectLambdaContext(logger));
 */
export function tracingMiddlewares(tracer: Tracer | undefined): ReturnType<typeof captureLambdaHandler>[] {
  return tracer === undefined ? [] : [captureLambdaHandler(tracer)];
}
