import http from 'node:http';
import https from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Timeouts and attempts of every AWS SDK client of the functions. */
export interface AwsClientSettings {
  /** The region (`AWS_REGION`, read by `config.ts`). */
  readonly region: string;
  /** A configured endpoint (`AWS_ENDPOINT_URL_<SERVICE>`); absent: the SDK's regional endpoint. */
  readonly endpoint?: string;
  /** Time to open a connection. @default 1000 */
  readonly connectionTimeoutMs?: number;
  /** Time from sending a request to the response headers, per attempt. @default 2000 */
  readonly requestTimeoutMs?: number;
  /** Attempts per call, the first one included (the SDK's standard retry mode). @default 3 */
  readonly maxAttempts?: number;
}

/**
 * The configuration every AWS SDK v3 client of the functions is built with: the SDK's
 * own request handler and retry strategy, configured, never replaced.
 *
 * - A keep-alive agent, so that a warm container reuses its TLS connections.
 * - Short connection and request timeouts: a stalled attempt fails (and is retried by the
 *   SDK) well inside the function timeout. Each call is also bounded by the time the
 *   invocation has left (an `abortSignal`, see `deadline.ts`).
 * - Standard retry mode, 3 attempts (exponential backoff with jitter, a retry quota, clock-skew correction).
 * - Checksums only where an operation requires them (none of DynamoDB's, EventBridge's or
 *   Secrets Manager's operations used here do): no hashing of bodies for nothing.
 * - A cached middleware stack per command class: the stack is resolved once per operation, not per call.
 *
 * The endpoint is the regional one unless the standard `AWS_ENDPOINT_URL_<SERVICE>`
 * variable names another (read by `config.ts`); FIPS and dual-stack settings
 * (`AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT`) are the SDK's own; credentials
 * come from its default provider (in the bundles, the environment only: see
 * `env-credentials.ts`).
 *
 * @example
 * const dynamodb = new DynamoDBClient(awsClientConfig({ region: 'eu-west-1', endpoint: aws.endpoints.dynamodb }));
 */
export function awsClientConfig(settings: AwsClientSettings) {
  const agentOptions = { keepAlive: true, maxSockets: 50 };
  return {
    region: settings.region,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    maxAttempts: settings.maxAttempts ?? 3,
    retryMode: 'standard',
    requestHandler: new NodeHttpHandler({
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
      connectionTimeout: settings.connectionTimeoutMs ?? 1_000,
      requestTimeout: settings.requestTimeoutMs ?? 2_000,
      // Without it the request timeout only logs a warning.
      throwOnRequestTimeout: true,
    }),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    cacheMiddleware: true,
  } as const;
}
