/**
 * An AWS failure is logged with what AWS Support asks for: the request id, the attempts
 * made and the time spent between them (the SDK's `$metadata`). Fault stand-in: a loopback
 * DynamoDB endpoint that answers every request `500 InternalServerError` with a request id.
 */
import http from 'node:http';
import { type LoopbackServer, listenOnLoopback } from '../../../stand-ins/loopback-server';
import { fixture } from '../../helpers/fixtures';
import { type IngestHarness, startIngestHarness } from '../../helpers/ingest-harness';

let h: IngestHarness;
let failing: LoopbackServer;
let lines: string[] = [];
let restore: () => void = () => undefined;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  h = await startIngestHarness();
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n += 1;
      const body = JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'injected fault' });
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `REQ-${n}` });
      res.end(body);
    });
  });
  failing = await listenOnLoopback(server);
  // Powertools writes WARN/ERROR to stderr.
  const original = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((line) => line.startsWith('{')),
    );
    return true;
  }) as typeof process.stderr.write;
  restore = () => {
    process.stderr.write = original;
  };
});
afterAll(async () => {
  restore();
  await failing.close();
  await h.close();
});

it('logs the request id, attempts and total retry delay of a failed DynamoDB call', async () => {
  lines = [];
  const { endpoint } = failing;

  const res = await h.post(
    { ...fixture('n101'), 'tracking-id': `err-${Date.now()}` },
    {},
    h.handlerWith({ AWS_ENDPOINT_URL_DYNAMODB: endpoint }),
  );

  expect(res.statusCode).toBe(503);
  const logged = lines.map((line) => JSON.parse(line) as { message?: string; error?: { cause?: Record<string, unknown> } });
  const answer = logged.find((line) => line.message?.startsWith('Answering 503'));
  expect(answer?.error?.cause).toMatchObject({
    name: 'InternalServerError',
    $metadata: { httpStatusCode: 500, requestId: 'REQ-3', attempts: 3, totalRetryDelay: expect.any(Number) },
  });
  expect((answer?.error?.cause?.$metadata as { totalRetryDelay?: number } | undefined)?.totalRetryDelay).toBeGreaterThan(0);
});
