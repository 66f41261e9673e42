/**
 * The event and the context of a Lambda invocation as API Gateway (REST API, Lambda proxy
 * integration) and Lambda build them: the local API (`local/http-server.ts`) invokes the real
 * handlers with them, and so do the rejected-postback replay (`npm run replay-rejected`, which
 * runs against a deployed stack too) and the tests. No server, no port: plain data.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { DEFAULTS } from '../lambda/config-contract';
import { BINARY_MEDIA_TYPES, headerValue, matchesMediaType } from '../lambda/http/request';

const TEXT_TYPES = /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|x-www-form-urlencoded|javascript|graphql)\b)/i;

/** Whether API Gateway (without binary media types for these) passes the body as UTF-8 text. */
export function isTextContentType(contentType: string | undefined): boolean {
  return contentType === undefined || contentType.trim() === '' || TEXT_TYPES.test(contentType.trim());
}

function multiMap(pairs: Iterable<[string, string]>): { single: Record<string, string> | null; multi: Record<string, string[]> | null } {
  const multi: Record<string, string[]> = {};
  for (const [key, value] of pairs) {
    const list = multi[key] ?? [];
    list.push(value);
    multi[key] = list;
  }
  const keys = Object.keys(multi);
  if (keys.length === 0) return { single: null, multi: null };
  const single: Record<string, string> = {};
  for (const key of keys) {
    const list = multi[key] as string[];
    single[key] = list[list.length - 1] as string;
  }
  return { single, multi };
}

export interface BuildEventInput {
  method: string;
  /** Path and query as received, e.g. `/messages?clientReference=a`. */
  url: string;
  /** `IncomingMessage.rawHeaders`: names in the sender's case, repeats kept. */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
  resource: string;
  pathParameters: Record<string, string> | null;
  stage: string;
  requestId?: string;
  localPort?: number;
  /** The REST API's `binaryMediaTypes`: bodies of these types are passed base64-encoded. @default BINARY_MEDIA_TYPES */
  binaryMediaTypes?: readonly string[];
}

/**
 * Builds the REST API proxy event the way API Gateway does: bodies of the binary media types
 * (and of non-text types) base64-encoded with `isBase64Encoded`, other bodies as UTF-8 text.
 */
export function buildProxyEvent(input: BuildEventInput): APIGatewayProxyEvent {
  const url = new URL(input.url, 'http://localhost');
  const headerPairs: [string, string][] = [];
  for (let i = 0; i + 1 < input.rawHeaders.length; i += 2)
    headerPairs.push([input.rawHeaders[i] as string, input.rawHeaders[i + 1] as string]);
  const lower = new Set(headerPairs.map(([name]) => name.toLowerCase()));
  // API Gateway adds these for the integration.
  if (!lower.has('x-forwarded-for')) headerPairs.push(['X-Forwarded-For', input.sourceIp]);
  if (!lower.has('x-forwarded-proto')) headerPairs.push(['X-Forwarded-Proto', 'http']);
  if (!lower.has('x-forwarded-port') && input.localPort) headerPairs.push(['X-Forwarded-Port', String(input.localPort)]);
  const headers = multiMap(headerPairs);
  const query = multiMap(url.searchParams.entries());
  const contentType = headerValue(headers.single, 'content-type');
  const text = isTextContentType(contentType) && !matchesMediaType(contentType, input.binaryMediaTypes ?? BINARY_MEDIA_TYPES);
  const requestId = input.requestId ?? randomUUID();
  const now = new Date();
  const userAgent = headerValue(headers.single, 'user-agent') ?? null;
  return {
    resource: input.resource,
    path: url.pathname,
    httpMethod: input.method,
    headers: headers.single ?? {},
    multiValueHeaders: headers.multi ?? {},
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: input.pathParameters,
    stageVariables: null,
    body: input.body.length === 0 ? null : text ? input.body.toString('utf8') : input.body.toString('base64'),
    isBase64Encoded: input.body.length > 0 && !text,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      domainName: `127.0.0.1${input.localPort ? `:${input.localPort}` : ''}`,
      domainPrefix: '127',
      extendedRequestId: requestId,
      httpMethod: input.method,
      path: `/${input.stage}${url.pathname}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: now.toUTCString(),
      requestTimeEpoch: now.getTime(),
      resourceId: 'local',
      resourcePath: input.resource,
      stage: input.stage,
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
        sourceIp: input.sourceIp,
        user: null,
        userAgent,
        userArn: null,
      },
    },
  };
}

/**
 * A Lambda `Context` like the one Lambda passes, for local invocations: the memory of the
 * deployed functions ({@link DEFAULTS}`.memorySize`), the remaining time running down from the
 * function's timeout.
 *
 * @example
 * await handler(event, lambdaContext('IngestFunction', randomUUID()));
 * await sweep({}, lambdaContext('StatusUnknownSweepFunction', randomUUID(), DEFAULTS.sweepTimeoutSeconds * 1000));
 */
export function lambdaContext(functionName: string, requestId: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: String(DEFAULTS.memorySize),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
