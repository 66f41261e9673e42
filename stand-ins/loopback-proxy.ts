/**
 * The loopback HTTP proxy every proxy is built on: listens on 127.0.0.1 (free port,
 * `loopback-server.ts`), reads each request body whole, and hands it to a `handle` function
 * that either forwards it (possibly changed) to the upstream endpoint over keep-alive
 * connections, or answers by itself, or never. `fault-proxy.ts` (failures on demand),
 * `stalling-proxy.ts` (a service that stops answering), `loadtest/capacity-proxy.ts`
 * (write-unit accounting) and the bench's counting proxy (`bench/counting-proxy.ts`) use it.
 */
import http from 'node:http';
import { listenOnLoopback } from './loopback-server';

/** What the upstream answered, body read whole. */
export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One request received by the proxy. */
export interface ProxyExchange {
  readonly req: http.IncomingMessage;
  /** The AWS operation: `x-amz-target` without the service prefix (`UpdateItem`), `unknown` without one. */
  readonly operation: string;
  readonly res: http.ServerResponse;
  readonly body: Buffer;
  /**
   * Sends `body` (by default the request's own) upstream with the request's method, path and
   * headers (`content-length` recomputed); calls `onAnswer` with the whole answer. A failed
   * upstream connection destroys the caller's connection (as a network failure would).
   */
  forward(onAnswer: (answer: UpstreamAnswer) => void, body?: Buffer): void;
  /** Relays an upstream answer to the caller unchanged (hop-by-hop headers dropped). */
  relay(answer: UpstreamAnswer): void;
}

export interface LoopbackProxy {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_*`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts a proxy in front of `upstream` (none: `handle` answers every request itself, or never).
 *
 * @example
 * const proxy = await startLoopbackProxy(ddb.endpoint, (x) => x.forward((answer) => x.relay(answer)));
 */
export async function startLoopbackProxy(upstream: string | undefined, handle: (exchange: ProxyExchange) => void): Promise<LoopbackProxy> {
  const target = upstream === undefined ? undefined : new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const requestBody = Buffer.concat(chunks);
      handle({
        req,
        operation: String(req.headers['x-amz-target'] ?? 'unknown').replace(/^[^.]*\./, ''),
        res,
        body: requestBody,
        forward(onAnswer, body = requestBody) {
          if (target === undefined) throw new Error('this proxy has no upstream to forward to');
          const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
          const upstreamReq = http.request(
            { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
            (upstreamRes) => {
              const parts: Buffer[] = [];
              upstreamRes.on('data', (c: Buffer) => parts.push(c));
              upstreamRes.on('end', () =>
                onAnswer({ status: upstreamRes.statusCode ?? 502, headers: upstreamRes.headers, body: Buffer.concat(parts) }),
              );
              upstreamRes.on('error', () => req.socket.destroy());
            },
          );
          upstreamReq.on('error', () => req.socket.destroy());
          upstreamReq.end(body);
        },
        relay(answer) {
          const { connection: _c, 'keep-alive': _k, 'transfer-encoding': _t, ...rest } = answer.headers;
          res.writeHead(answer.status, { ...rest, 'content-length': answer.body.length });
          res.end(answer.body);
        },
      });
    });
  });
  server.keepAliveTimeout = 30_000;
  const listening = await listenOnLoopback(server);
  return {
    endpoint: listening.endpoint,
    close: async () => {
      agent.destroy();
      await listening.close();
    },
  };
}
