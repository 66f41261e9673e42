/**
 * The benchmark's counting HTTP proxy in front of DynamoDB Local (real DynamoDB semantics,
 * every request counted by operation and timed upstream).
 */
import { startLoopbackProxy } from '../stand-ins/loopback-proxy';

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
 * Forwards every request to `upstream` (keep-alive, `stand-ins/loopback-proxy.ts`) and counts it.
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
    const op = x.operation;
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
