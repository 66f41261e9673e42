/**
 * The local stand-in for API Gateway (REST API, Lambda proxy integration): turns HTTP
 * requests into `APIGatewayProxyEvent`s for the real handlers and writes their answers
 * back as they are.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type LoopbackServer, listenOnLoopback, sendJson } from '../stand-ins/loopback-server';
import { buildProxyEvent, lambdaContext } from './api-gateway-event';
import { LocalEnvironmentError } from './dynamodb-local';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult | undefined>;

export interface Route {
  /** The API Gateway resource, e.g. `/messages/{trackingId}`. */
  readonly resource: string;
  readonly method: string;
  readonly handler: () => ProxyHandler | undefined;
  /** Lambda function name shown in the context. */
  readonly functionName: string;
}

export interface LocalApiOptions {
  /** @default 3000 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  readonly routes: readonly Route[];
  /** @default 'local' */
  readonly stage?: string;
  /** One line per request, with the query string's secrets redacted. @default no logging */
  readonly log?: (line: string) => void;
}

export interface LocalApi {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The largest request body the local API accepts (API Gateway's payload limit); larger ones get 413. */
export const MAX_REQUEST_PAYLOAD_BYTES = 10 * 1024 * 1024;

/**
 * The largest request line plus headers the local API accepts: API Gateway's quota for a REST
 * API, "total combined size of request line and header values", 10,240 bytes
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html).
 * A larger one (a long query string, an oversized header) is answered 431 with a JSON body.
 */
export const MAX_REQUEST_HEADER_BYTES = 10 * 1024;

/** The header that carries the request id on every answer, as API Gateway's REST API sends it. */
export const REQUEST_ID_HEADER = 'x-amzn-RequestId';

/**
 * The raw answer to a request Node's HTTP parser refused before any handler ran (request line
 * and headers too large, or not HTTP): JSON, with a request id, like every other error.
 */
export function clientErrorResponse(code: string | undefined, requestId: string): string {
  const tooLarge = code === 'HPE_HEADER_OVERFLOW';
  const [status, reason, body] = tooLarge
    ? [
        431,
        'Request Header Fields Too Large',
        {
          error: 'request_header_fields_too_large',
          message: `the request line and headers exceed ${MAX_REQUEST_HEADER_BYTES} bytes (a query string or a header is too long)`,
          requestId,
        },
      ]
    : [400, 'Bad Request', { error: 'bad_request', message: 'the request is not valid HTTP', requestId }];
  const text = JSON.stringify(body);
  return [
    `HTTP/1.1 ${status} ${reason}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(text)}`,
    `${REQUEST_ID_HEADER}: ${requestId}`,
    'connection: close',
    '',
    text,
  ].join('\r\n');
}

/** Query parameters whose values never reach a log line. */
const SECRET_QUERY_PARAMETERS = new Set(['token']);

/**
 * The request target with the values of secret query parameters (`token`) replaced by
 * `***`, whatever their case or percent-encoding, for log lines.
 *
 * @example
 * redactUrl('/postbacks?token=s3cret&x=1'); // '/postbacks?token=***&x=1'
 */
export function redactUrl(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  if (q < 0) return rawUrl;
  const hash = rawUrl.indexOf('#', q);
  const query = rawUrl.slice(q + 1, hash < 0 ? undefined : hash);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name: string;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        name = rawName;
      }
      return SECRET_QUERY_PARAMETERS.has(name.trim().toLowerCase()) ? `${rawName}=***` : pair;
    })
    .join('&');
  return `${rawUrl.slice(0, q)}?${redacted}`;
}

/** Matches `path` against a resource template such as `/messages/{trackingId}`; returns the path parameters or undefined. */
export function matchResource(resource: string, path: string): Record<string, string> | undefined {
  const want = resource.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    const param = /^\{(\w+)\}$/.exec(w);
    if (param) {
      if (g === '') return undefined;
      try {
        params[param[1] as string] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) return undefined;
  }
  return params;
}

function writeResult(res: http.ServerResponse, result: APIGatewayProxyResult, requestId: string): void {
  const headers: Record<string, string | string[]> = { [REQUEST_ID_HEADER]: requestId };
  for (const [name, value] of Object.entries(result.multiValueHeaders ?? {})) headers[name.toLowerCase()] = value.map(String);
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  const body =
    result.body === undefined || result.body === null
      ? Buffer.alloc(0)
      : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  if (!('content-type' in headers)) headers['content-type'] = 'application/json';
  headers['content-length'] = String(body.length);
  res.writeHead(result.statusCode, headers);
  res.end(body);
}

/**
 * Starts the local API on `host:port`.
 *
 * @example
 * const api = await startLocalApi({ port: 3000, routes: [{ resource: '/postbacks', method: 'POST', functionName: 'ingest', handler: () => ingest }] });
 */
export async function startLocalApi(opts: LocalApiOptions): Promise<LocalApi> {
  const host = opts.host ?? '127.0.0.1';
  const stage = opts.stage ?? 'local';
  let port = opts.port ?? 3000;

  const server = http.createServer({ maxHeaderSize: MAX_REQUEST_HEADER_BYTES }, (req, res) => {
    const started = Date.now();
    // API Gateway's request id: in the event, in every answer's header and in every error body.
    const requestId = randomUUID();
    const idHeader = { [REQUEST_ID_HEADER]: requestId };
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const pathname = new URL(rawUrl, 'http://localhost').pathname;
    const log = (status: number) => opts.log?.(`${method} ${redactUrl(rawUrl)} -> ${status} (${Date.now() - started} ms)`);

    const matches = opts.routes
      .map((route) => ({ route, params: matchResource(route.resource, pathname) }))
      .filter((m) => m.params !== undefined);
    if (matches.length === 0) {
      req.resume();
      sendJson(res, 404, { error: 'not_found', message: `No route for ${pathname}`, requestId }, idHeader);
      log(404);
      return;
    }
    const match = matches.find((m) => m.route.method === method);
    if (!match) {
      req.resume();
      const allow = [...new Set(matches.map((m) => m.route.method))].join(', ');
      sendJson(res, 405, { error: 'method_not_allowed', message: `Use ${allow} for ${pathname}`, requestId }, { allow, ...idHeader });
      log(405);
      return;
    }
    const tooLarge = () => {
      sendJson(res, 413, { error: 'request_too_long', message: 'Request Too Long', requestId }, { connection: 'close', ...idHeader });
      log(413);
      req.unpipe();
      req.resume();
    };
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_REQUEST_PAYLOAD_BYTES) {
      tooLarge();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > MAX_REQUEST_PAYLOAD_BYTES) {
        refused = true;
        chunks.length = 0;
        tooLarge();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      void (async () => {
        const event = buildProxyEvent({
          method,
          url: rawUrl,
          rawHeaders: req.rawHeaders,
          body: Buffer.concat(chunks),
          sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
          resource: match.route.resource,
          pathParameters: match.params && Object.keys(match.params).length > 0 ? match.params : null,
          stage,
          requestId,
          localPort: port,
        });
        const handler = match.route.handler();
        if (!handler) {
          sendJson(
            res,
            503,
            { error: 'unavailable', message: 'Service starting, retry in a moment', requestId },
            { 'retry-after': '1', ...idHeader },
          );
          log(503);
          return;
        }
        try {
          const result = await handler(event, lambdaContext(match.route.functionName, requestId));
          if (!result || typeof result.statusCode !== 'number') throw new Error('handler returned no APIGatewayProxyResult');
          writeResult(res, result, requestId);
          log(result.statusCode);
        } catch (error) {
          // API Gateway's answer when the function fails.
          console.error(`[${match.route.functionName}] invocation failed:`, error);
          if (!res.headersSent) sendJson(res, 502, { error: 'internal_error', message: 'Internal server error', requestId }, idHeader);
          log(502);
        }
      })();
    });
  });
  // Without this, Node answers a refused request line or header with a bare status line.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(clientErrorResponse(error.code, randomUUID()));
    opts.log?.(`(refused before routing: ${error.code ?? error.message})`);
  });
  let listening: LoopbackServer;
  try {
    listening = await listenOnLoopback(server, { port, host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LocalEnvironmentError(
      code === 'EADDRINUSE'
        ? `Port ${port} on ${host} is already in use: stop the other server or start with another port, e.g. PORT=3001 npm start`
        : `Cannot listen on ${host}:${port} (${code ?? (error as Error).message}): choose another port with PORT=…`,
      { cause: error },
    );
  }
  port = listening.port;
  return { url: listening.endpoint, port, close: listening.close };
}
