/**
 * Benchmark-only loopback stand-ins: a counting HTTP proxy in front of DynamoDB Local
 * (real DynamoDB semantics, every request counted by operation and timed upstream) and a
 * minimal Secrets Manager `GetSecretValue` endpoint, so that the bundle runs with the
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

export interface SecretsManagerLocal {
  readonly endpoint: string;
  readonly arn: string;
  requestCount(): number;
  close(): Promise<void>;
}

/**
 * Answers `secretsmanager.GetSecretValue` (AWS JSON 1.1): `AWSCURRENT` gives `secret`;
 * `AWSPREVIOUS` gives `ResourceNotFoundException` (a secret that was never rotated, the
 * state of a freshly deployed stack).
 *
 * @example
 * const sm = await startSecretsManagerLocal('s3cret');
 * env.AWS_ENDPOINT_URL_SECRETS_MANAGER = sm.endpoint;
 * env.POSTBACK_SECRET_ARN = sm.arn;
 */
export async function startSecretsManagerLocal(secret: string): Promise<SecretsManagerLocal> {
  const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-postback-secret-AbCdEf';
  let requestCount = 0;
  const sockets = new Set<Socket>();
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': `bench-${requestCount}`,
    });
    res.end(text);
  };
  const server = http.createServer((req, res) => {
    requestCount++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        send(res, 400, { __type: 'UnknownOperationException', message: `unsupported ${String(req.headers['x-amz-target'])}` });
        return;
      }
      let input: { SecretId?: string; VersionStage?: string } = {};
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        send(res, 400, { __type: 'SerializationException', message: 'bad JSON' });
        return;
      }
      if (input.SecretId !== arn) {
        send(res, 400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
        return;
      }
      if ((input.VersionStage ?? 'AWSCURRENT') !== 'AWSCURRENT') {
        send(res, 400, {
          __type: 'ResourceNotFoundException',
          message: `Secrets Manager can't find the specified secret value for staging label: ${input.VersionStage}`,
        });
        return;
      }
      send(res, 200, {
        ARN: arn,
        Name: 'bench-postback-secret',
        SecretString: secret,
        VersionId: '11111111-2222-3333-4444-555555555555',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1767225600,
      });
    });
  });
  const port = await listen(server, sockets);
  return { endpoint: `http://127.0.0.1:${port}`, arn, requestCount: () => requestCount, close: closer(server, sockets) };
}
