/**
 * Benchmark-only loopback stand-ins: a counting HTTP proxy in front of DynamoDB Local
 * (real DynamoDB semantics, every request counted by operation and timed upstream); the
 * Secrets Manager stand-in (`local/secretsmanager-local.ts`) lets the bundle run with the
 * stack's configuration (`POSTBACK_SECRET_ARN`).
 */
import { startLoopbackProxy } from '../loadtest/loopback-proxy';

export interface CountingProxy {
  readonly endpoint: string;
  /** Requests by operation (`x-amz-target` without the service prefix). */
  counts(): Record<string, number>;
  total(): number;
  /** Milliseconds spent waiting for the upstream, summed over all requests. */
  upstreamMs(): number;
  close(): Promise<void>;
}

/**
 * Forwards every request to `upstream` (keep-alive, `loadtest/loopback-proxy.ts`) and counts it.
 *
 * @example
 * const proxy = await startCountingProxy(ddb.endpoint);
 * env.AWS_ENDPOINT_URL_DYNAMODB = proxy.endpoint;
 */
export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const counts: Record<string, number> = {};
  let total = 0;
  let upstreamMs = 0;
  const proxy = await startLoopbackProxy(upstream, (x) => {
    total++;
    const op = String(x.req.headers['x-amz-target'] ?? 'unknown').replace(/^[^.]*\./, '');
    counts[op] = (counts[op] ?? 0) + 1;
    const started = performance.now();
    x.forward((answer) => {
      upstreamMs += performance.now() - started;
      x.relay(answer);
    });
  });
  return {
    endpoint: proxy.endpoint,
    counts: () => ({ ...counts }),
    total: () => total,
    upstreamMs: () => upstreamMs,
    close: proxy.close,
  };
}

// The Secrets Manager stand-in is shared with the tests.
export { type SecretsManagerLocal, startSecretsManagerLocal } from '../local/secretsmanager-local';
