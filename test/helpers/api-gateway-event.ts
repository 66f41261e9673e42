import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { buildProxyEvent } from '../../local/api-gateway-event';

export interface ApiGatewayEventOverrides {
  /** @default 'POST' */
  method?: string;
  /** @default '/postbacks' */
  path?: string;
  /** @default the path when it has no path parameters, else required */
  resource?: string;
  pathParameters?: Record<string, string> | null;
  /** Single-valued headers (names kept as given; API Gateway keeps the sender's case). Arrays give multi-value headers. */
  headers?: Record<string, string | string[]>;
  /** Query string; arrays give multi-value parameters (the last value is the single-value one, like API Gateway). */
  query?: Record<string, string | string[]> | null;
  /**
   * A string is sent as is; an object is JSON-encoded (and content-type defaults to application/json).
   * Like API Gateway, the event carries the bytes base64-encoded for the binary media types.
   */
  body?: string | object | null;
  isBase64Encoded?: boolean;
  sourceIp?: string;
  requestId?: string;
  /** Cognito/IAM identity fields etc. */
  identity?: Partial<APIGatewayProxyEvent['requestContext']['identity']>;
  stage?: string;
}

/**
 * An API Gateway REST (v1) proxy event, built by the same code as the local API stand-in
 * (`buildProxyEvent` in `local/api-gateway-event.ts`), with overrides.
 *
 * @example
 * const event = apiGatewayEvent({ body: n101, headers: { 'X-Postback-Token': 'secret' } });
 * const get = apiGatewayEvent({ method: 'GET', path: '/messages/abc', resource: '/messages/{trackingId}', pathParameters: { trackingId: 'abc' }, body: null });
 */
export function apiGatewayEvent(overrides: ApiGatewayEventOverrides = {}): APIGatewayProxyEvent {
  const method = overrides.method ?? 'POST';
  const path = overrides.path ?? '/postbacks';
  const rawBody = overrides.body === undefined ? (method === 'GET' ? null : {}) : overrides.body;
  const body = rawBody === null ? null : typeof rawBody === 'string' ? rawBody : JSON.stringify(rawBody);
  const headers: Record<string, string | string[]> = { ...(overrides.headers ?? {}) };
  const hasHeader = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
  if (!hasHeader('host')) headers.Host = 'abcdef1234.execute-api.us-east-1.amazonaws.com';
  if (body !== null && typeof rawBody === 'object' && !hasHeader('content-type')) headers['Content-Type'] = 'application/json';
  const rawHeaders = Object.entries(headers).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).flatMap((v) => [name, v]));
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(overrides.query ?? {}))
    for (const v of Array.isArray(value) ? value : [value]) search.append(key, v);
  const query = search.toString();
  const event = buildProxyEvent({
    method,
    url: query ? `${path}?${query}` : path,
    rawHeaders,
    // A body flagged as base64 is given encoded; everything else as text.
    body: body === null ? Buffer.alloc(0) : Buffer.from(body, overrides.isBase64Encoded ? 'base64' : 'utf8'),
    sourceIp: overrides.sourceIp ?? '203.0.113.10',
    resource: overrides.resource ?? path,
    pathParameters: overrides.pathParameters ?? null,
    stage: overrides.stage ?? 'prod',
    requestId: overrides.requestId ?? randomUUID(),
  });
  if (overrides.isBase64Encoded !== undefined) {
    // As given: base64 text flagged as such, or a body that arrives as text (a caller other than API Gateway).
    event.isBase64Encoded = overrides.isBase64Encoded;
    event.body = body;
  }
  if (overrides.identity) event.requestContext.identity = { ...event.requestContext.identity, ...overrides.identity };
  return event;
}
