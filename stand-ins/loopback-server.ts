/**
 * The one way the local run, the stand-ins and the proxies listen: on 127.0.0.1 (or the
 * given host), on a free port unless one is named, with every open connection tracked so that
 * `close()` ends at once, keep-alive connections included.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { once } from 'node:events';
import type http from 'node:http';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';

export interface LoopbackServer {
  /** The port it listens on (the free one chosen when none was named). */
  readonly port: number;
  /** `http://<host>:<port>`: use as an `AWS_ENDPOINT_URL_<SERVICE>` or a base URL. */
  readonly endpoint: string;
  /** Stops listening and destroys every open connection (keep-alive ones included). */
  close(): Promise<void>;
}

export interface ListenOptions {
  /** @default a free port */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
}

/**
 * Makes `server` listen and returns its address and a `close()` that does not wait for idle
 * keep-alive connections. A failure to listen (e.g. `EADDRINUSE`) rejects with Node's error.
 *
 * @example
 * const { endpoint, close } = await listenOnLoopback(http.createServer(handle));
 * env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
 * await close();
 */
export async function listenOnLoopback(server: Server | http.Server, opts: ListenOptions = {}): Promise<LoopbackServer> {
  const host = opts.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(opts.port ?? 0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    port,
    endpoint: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function findFreePort(): Promise<number> {
  const probe = await listenOnLoopback(createServer().unref());
  await probe.close();
  return probe.port;
}

/**
 * Why `port` cannot be listened on, on every interface and exclusively (as DynamoDB Local
 * binds it), e.g. `EADDRINUSE`; `undefined` when it is free.
 *
 * @example
 * expect(await portInUse(port)).toBeUndefined(); // nothing is left listening
 */
export async function portInUse(port: number): Promise<NodeJS.ErrnoException | undefined> {
  const server = createServer().unref();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, exclusive: true }, () => resolve());
    });
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return undefined;
}

/**
 * Answers with `body` as JSON: `content-length` computed, `content-type` as given (the AWS
 * JSON protocols use `application/x-amz-json-1.0` or `-1.1`), plus any other headers.
 *
 * @example
 * sendJson(res, 400, { __type: 'ValidationException', message: 'bad' }, { 'content-type': 'application/x-amz-json-1.1' });
 */
export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export interface LoopbackUdpListener {
  /** `127.0.0.1:<port>` (e.g. for `AWS_XRAY_DAEMON_ADDRESS`). */
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A UDP listener on 127.0.0.1 and a free port that hands every datagram to `onMessage`.
 *
 * @example
 * const daemon = await listenOnLoopbackUdp((message) => documents.push(message.toString('utf8')));
 * env.AWS_XRAY_DAEMON_ADDRESS = daemon.address;
 */
export async function listenOnLoopbackUdp(onMessage: (message: Buffer, from: RemoteInfo) => void): Promise<LoopbackUdpListener> {
  const socket = createSocket('udp4');
  socket.on('message', onMessage);
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  return {
    address: `127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
