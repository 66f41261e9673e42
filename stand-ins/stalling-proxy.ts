import { startLoopbackProxy } from './loopback-proxy';

export interface StallingProxy {
  /** `http://127.0.0.1:<port>`: use as an `AWS_ENDPOINT_URL_<SERVICE>`. */
  readonly endpoint: string;
  /** Requests that were held and never answered, by operation (`X-Amz-Target` without its prefix). */
  readonly stalled: Record<string, number>;
  close(): Promise<void>;
}

/**
 * A fault stand-in on 127.0.0.1 for a service that stops answering: requests whose
 * operation `stalls` selects are read and then held open, never answered (as a stalled
 * network or an overloaded service does); the others are forwarded to `upstream`, if any.
 *
 * @example
 * const proxy = await startStallingProxy((operation) => operation === 'UpdateItem', ddbEndpoint);
 * env.AWS_ENDPOINT_URL_DYNAMODB = proxy.endpoint;
 */
export async function startStallingProxy(stalls: (operation: string) => boolean, upstream?: string): Promise<StallingProxy> {
  const stalled: Record<string, number> = {};
  const proxy = await startLoopbackProxy(upstream, (x) => {
    const { operation } = x;
    if (stalls(operation) || upstream === undefined) {
      stalled[operation] = (stalled[operation] ?? 0) + 1;
      return; // never answered
    }
    x.forward((answer) => x.relay(answer));
  });
  return { endpoint: proxy.endpoint, stalled, close: proxy.close };
}
