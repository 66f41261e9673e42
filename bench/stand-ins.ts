/**
 * Benchmark-only loopback stand-ins: a counting HTTP proxy in front of DynamoDB Local
 * (real DynamoDB semantics, every request counted by operation and timed upstream); the
 * Secrets Manager stand-in (`local/secretsmanager-local.ts`) lets the bundle run with the
 * stack's configuration (`POSTBACK_SECRET_ARN`).
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface CountingProxy {
  readonly endpoint: string;
  /** Requests by operation (`x-amz-target` without the service prefix). */
  counts(): Record<string, number>;
  total(): number;
  /** Milliseconds spent waiting for the upstream, summed over all requests. */
  upstreamMs(): number;
  close(): Promise<void>;
}

async function listen(server: http.Server, sockets: Set<Socket>): Promise<number> {
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function closer(server: http.Server, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
}

/**
 * Forwards every request to `upstream` (keep-alive) and counts it.
 *
 * @example
 * const proxy = await startCountingProxy(ddb.endpoint);
 * env.AWS_ENDPOINT_URL_DYNAMODB = proxy.endpoint;
 */
export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const counts: Record<string, number> = {};
  let total = 0;
  let upstreamMs = 0;
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    total++;
    const op = String(req.headers['x-amz-target'] ?? 'unknown').replace(/^[^.]*\./, '');
    counts[op] = (counts[op] ?? 0) + 1;
    const started = performance.now();
    const upstreamReq = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
        upstreamRes.on('end', () => {
          upstreamMs += performance.now() - started;
        });
      },
    );
    upstreamReq.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'ProxyError', message: error.message }));
    });
    req.pipe(upstreamReq);
  });
  const port = await listen(server, sockets);
  const close = closer(server, sockets);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    total: () => total,
    upstreamMs: () => upstreamMs,
    close: async () => {
      await close();
      agent.destroy();
    },
  };
}

// The Secrets Manager stand-in is shared with the tests.
export { type SecretsManagerLocal, startSecretsManagerLocal } from '../local/secretsmanager-local';
