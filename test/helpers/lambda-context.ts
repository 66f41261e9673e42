import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { lambdaContext as localLambdaContext } from '../../local/api-gateway-event';

/**
 * A Lambda `Context` as the local run builds it; override any field.
 *
 * @example
 * await handler(apiGatewayEvent(), lambdaContext({ functionName: 'ingest' }));
 */
export function lambdaContext(overrides: Partial<Context> = {}): Context {
  return { ...localLambdaContext(overrides.functionName ?? 'test-function', randomUUID()), ...overrides };
}
