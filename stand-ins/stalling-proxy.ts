import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

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
  const target = upstream === undefined ? undefined : new URL(upstream);
  const agent = new http.Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  const stalled: Record<string, number> = {};
  const server = http.createServer((req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? 'unknown').replace(/^[^.]*\./, '');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (stalls(operation) || target === undefined) {
        stalled[operation] = (stalled[operation] ?? 0) + 1;
        return; // never answered
      }
      const forwarded = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
          agent,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forwarded.on('error', () => req.socket.destroy());
      forwarded.end(Buffer.concat(chunks));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stalled,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        agent.destroy();
      }),
  };
}
