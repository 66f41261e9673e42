/**
 * The postbacks of the benchmark: API Gateway REST proxy events built by the test helpers
 * from the provider's examples, authenticated the way the provider is configured.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { EXAMPLE_NAMES, type ExampleName, loadExample } from '../local/examples';
import { apiGatewayEvent } from '../test/helpers/api-gateway-event';

export const BENCH_SECRET = 'bench-secret-0123456789abcdefghijklmnopqrstuv';

/** A POST /postbacks event with the secret in `X-Postback-Token` (or the given headers). */
export function postbackEvent(body: unknown, headers: Record<string, string> = { 'X-Postback-Token': BENCH_SECRET }): APIGatewayProxyEvent {
  return apiGatewayEvent({
    body: typeof body === 'string' ? body : (body as object),
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

/** An example postback with another tracking-id (and optionally other fields). */
export function example(name: ExampleName, trackingId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return loadExample(name, { 'tracking-id': trackingId, ...overrides });
}

/**
 * `count` new postbacks with distinct tracking-ids, cycling through the provider's examples
 * (MT send, delivery, rejection, template, MO).
 */
export function distinctPostbacks(prefix: string, count: number): APIGatewayProxyEvent[] {
  return Array.from({ length: count }, (_, i) =>
    postbackEvent(example(EXAMPLE_NAMES[i % EXAMPLE_NAMES.length] as ExampleName, `${prefix}-${i}`)),
  );
}

export interface ScenarioStep {
  readonly name: string;
  readonly event: APIGatewayProxyEvent;
  /** `accepted`, `duplicate` or an HTTP status. */
  readonly expect: 'accepted' | 'duplicate' | number;
  /** For `accepted`: the expected `latest` flag. */
  readonly latest?: boolean;
  /** AWS requests allowed per postback on the sender's path (new 1, duplicate 1), when there is a budget. */
  readonly maxRequests?: number;
  /** Which figure of the report this step gives. */
  readonly figure?: 'inOrder' | 'duplicate' | 'outOfOrder';
}

/** The request-count scenario: the latest-state rule and the request budget, on two messages and one MO. */
export function countScenario(prefix: string): ScenarioStep[] {
  const a = `${prefix}-a`;
  const b = `${prefix}-b`;
  return [
    {
      name: 'new in-order (N101, first state)',
      event: postbackEvent(example('n101', a)),
      expect: 'accepted',
      latest: true,
      maxRequests: 1,
      figure: 'inOrder',
    },
    {
      name: 'duplicate (same N101 again)',
      event: postbackEvent(example('n101', a)),
      expect: 'duplicate',
      maxRequests: 1,
      figure: 'duplicate',
    },
    {
      name: 'duplicate (same instant, other offset)',
      event: postbackEvent(example('n101', a, { timestamp: '2026-04-24T13:30:00-05:00' })),
      expect: 'duplicate',
      maxRequests: 1,
    },
    { name: 'new in-order (N102 after N101)', event: postbackEvent(example('n102', a)), expect: 'accepted', latest: true, maxRequests: 1 },
    { name: 'new in-order (N102 first)', event: postbackEvent(example('n102', b)), expect: 'accepted', latest: true, maxRequests: 1 },
    {
      name: 'out-of-order (N101 after N102)',
      event: postbackEvent(example('n101', b)),
      expect: 'accepted',
      latest: false,
      figure: 'outOfOrder',
    },
    { name: 'duplicate of the out-of-order one', event: postbackEvent(example('n101', b)), expect: 'duplicate', maxRequests: 1 },
    { name: 'new MO (N401)', event: postbackEvent(example('n401', `${prefix}-mo`)), expect: 'accepted', latest: true, maxRequests: 1 },
    {
      name: 'unknown code (E555, never latest)',
      event: postbackEvent(example('e102', `${prefix}-c`, { code: 'E555' })),
      expect: 'accepted',
      latest: false,
    },
    { name: 'wrong secret', event: postbackEvent(example('n101', `${prefix}-d`), { 'X-Postback-Token': 'wrong' }), expect: 401 },
    { name: 'fails the schema (no code)', event: postbackEvent({ ...example('n101', `${prefix}-e`), code: undefined }), expect: 400 },
  ];
}
