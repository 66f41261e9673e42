import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';

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
  /** A string is sent as is; an object is JSON-encoded (and content-type defaults to application/json). */
  body?: string | object | null;
  isBase64Encoded?: boolean;
  sourceIp?: string;
  requestId?: string;
  /** Cognito/IAM identity fields etc. */
  identity?: Partial<APIGatewayProxyEvent['requestContext']['identity']>;
  stage?: string;
}

function toMulti(values: Record<string, string | string[]> | null | undefined) {
  if (!values || Object.keys(values).length === 0) return { single: null, multi: null };
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(values)) {
    const list = Array.isArray(value) ? value : [value];
    multi[key] = list;
    const last = list[list.length - 1];
    if (last !== undefined) single[key] = last;
  }
  return { single, multi };
}

/**
 * An API Gateway REST (v1) proxy event, as API Gateway builds it, with overrides.
 *
 * @example
 * const event = apiGatewayEvent({ body: n101, headers: { 'X-Postback-Token': 'secret' } });
 * const get = apiGatewayEvent({ method: 'GET', path: '/messages/abc', resource: '/messages/{trackingId}', pathParameters: { trackingId: 'abc' }, body: null });
 */
export function apiGatewayEvent(overrides: ApiGatewayEventOverrides = {}): APIGatewayProxyEvent {
  const method = overrides.method ?? 'POST';
  const path = overrides.path ?? '/postbacks';
  const resource = overrides.resource ?? path;
  const stage = overrides.stage ?? 'prod';
  const rawBody = overrides.body === undefined ? (method === 'GET' ? null : {}) : overrides.body;
  const body = rawBody === null ? null : typeof rawBody === 'string' ? rawBody : JSON.stringify(rawBody);
  const givenHeaders: Record<string, string | string[]> = { ...(overrides.headers ?? {}) };
  const hasHeader = (name: string) => Object.keys(givenHeaders).some((k) => k.toLowerCase() === name);
  if (!hasHeader('host')) givenHeaders.Host = 'abcdef1234.execute-api.us-east-1.amazonaws.com';
  if (body !== null && typeof rawBody === 'object' && !hasHeader('content-type')) givenHeaders['Content-Type'] = 'application/json';
  const headers = toMulti(givenHeaders);
  const query = toMulti(overrides.query ?? null);
  const requestId = overrides.requestId ?? randomUUID();
  const sourceIp = overrides.sourceIp ?? '203.0.113.10';
  const now = new Date();
  return {
    resource,
    path,
    httpMethod: method,
    headers: headers.single ?? {},
    multiValueHeaders: headers.multi ?? {},
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: overrides.pathParameters ?? null,
    stageVariables: null,
    body,
    isBase64Encoded: overrides.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      authorizer: null,
      domainName: 'abcdef1234.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abcdef1234',
      extendedRequestId: `${requestId.slice(0, 8)}=`,
      httpMethod: method,
      path: `/${stage}${path}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: now.toUTCString(),
      requestTimeEpoch: now.getTime(),
      resourceId: 'abc123',
      resourcePath: resource,
      stage,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp,
        user: null,
        userAgent: 'test-agent',
        userArn: null,
        ...overrides.identity,
      },
    },
  };
}
