import http from 'node:http';
import https from 'node:https';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsConfig } from '../config';

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
  /**
   * The credentials are in the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, as
   * Lambda passes the role's, read by `config.ts`): the SDK's environment provider, resolved
   * once per client and kept until an `AWS_CREDENTIAL_EXPIRATION` nears. Absent or false: the
   * SDK's default provider (the whole chain in tests and local runs), called on every request.
   * @default false
   */
  readonly credentialsFromEnvironment?: boolean;
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
 * - A cached middleware stack per command class: the stack is resolved once per operation,
 *   not per call. The SDK uses that cache only for a `send(command)` without options
 *   (`Client.send` of `@smithy/core`; any options, an `abortSignal` too, rebuild the stack
 *   and drop the cache), so the functions never pass any: the invocation's deadline is
 *   enforced by abandoning the call (`untilDeadline`, see `deadline.ts`).
 * - Credentials from the environment provider, resolved once (the SDK memoizes a provider
 *   given as `credentials`; its default provider it calls on every request), when they are
 *   in the environment.
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
    // The SDK memoizes a provider given here: read once per client, not on every request.
    ...(settings.credentialsFromEnvironment === true ? { credentials: fromEnv() } : {}),
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

/**
 * The {@link awsClientConfig} of a function's client of one service, from the function's AWS
 * settings (`loadAwsConfig` of `config.ts`): its region, the service's configured endpoint,
 * and the credentials from the environment when they are there.
 *
 * @example
 * const dynamodb = traced(tracer, new DynamoDBClient(functionClientConfig(loadAwsConfig(), 'dynamodb')));
 */
export function functionClientConfig(aws: AwsConfig, service: keyof AwsConfig['endpoints']) {
  return awsClientConfig({
    region: aws.region,
    endpoint: aws.endpoints[service],
    credentialsFromEnvironment: aws.credentialsInEnvironment,
  });
}

/** The middleware of every SDK client that costs time per request and gives these functions nothing. */
export const UNUSED_MIDDLEWARE = [
  // Builds the `User-Agent` and `x-amz-user-agent` headers (SDK version, features) on every
  // request: AWS needs neither to serve it.
  'getUserAgentMiddleware',
  // Logs every call to the client's `logger`; none is configured, yet on every failed call
  // (every duplicate postback is one) it runs the input's sensitive-data filter first.
  'loggerMiddleware',
] as const;

/** The part of an SDK v3 client that {@link configureClient} touches. */
export interface ConfigurableClient {
  readonly config: object;
  readonly middlewareStack: { remove(toRemove: string): boolean };
}

interface SignerConfig {
  signer?: (authScheme?: { name?: string }) => Promise<unknown>;
  endpointProvider?: (params: object, context?: object) => unknown;
}

/**
 * Settles, once the client is built, what the SDK would otherwise redo on every request,
 * with the SDK's own parts:
 *
 * - one signer per client (per auth scheme): the SDK's signer factory builds a new
 *   `SignatureV4` for every request; its first signer is kept (the signing region and
 *   service are passed to it per request, its credentials are the client's provider);
 * - endpoints resolved once: the region and the endpoint of a function's client are fixed
 *   for the container, so the SDK's own endpoint rules are evaluated once per distinct set of
 *   endpoint parameters and the result reused;
 * - with tracing off, {@link UNUSED_MIDDLEWARE} removed from the client's stack. With
 *   tracing on, the stack stays whole, as Powertools Tracer expects it.
 *
 * Call it before the first request (the SDK caches the resolved stack at the first `send`).
 *
 * @example
 * const dynamodb = traced(tracer, configureClient(new DynamoDBClient(awsClientConfig({ region })), { tracing: tracer !== undefined }));
 */
export function configureClient<Client extends ConfigurableClient>(client: Client, options: { readonly tracing: boolean }): Client {
  const config = client.config as SignerConfig;
  const buildSigner = config.signer;
  if (typeof buildSigner === 'function') {
    const signers = new Map<string | undefined, Promise<unknown>>();
    config.signer = (authScheme) => {
      const name = authScheme?.name;
      let signer = signers.get(name);
      if (signer === undefined) {
        signer = buildSigner(authScheme);
        signer.catch(() => signers.delete(name));
        signers.set(name, signer);
      }
      return signer;
    };
  }
  const resolveEndpoint = config.endpointProvider;
  if (typeof resolveEndpoint === 'function') {
    const endpoints = new Map<string, unknown>();
    config.endpointProvider = (params, context) => {
      const key = JSON.stringify(params);
      let endpoint = endpoints.get(key);
      if (endpoint === undefined) {
        endpoint = resolveEndpoint(params, context);
        // Bounded: a function's parameters are a handful (region, endpoint, table names).
        if (endpoints.size < 100) endpoints.set(key, endpoint);
      }
      return endpoint;
    };
  }
  if (!options.tracing) for (const name of UNUSED_MIDDLEWARE) client.middlewareStack.remove(name);
  return client;
}
