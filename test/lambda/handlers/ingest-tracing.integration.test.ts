/**
 * With tracing enabled (`POWERTOOLS_TRACE_ENABLED=true`, as the construct sets it with
 * active tracing), an ingest invocation records its handler and every AWS call as X-Ray
 * subsegments. Stand-in for the X-Ray daemon: a UDP listener on 127.0.0.1
 * (`AWS_XRAY_DAEMON_ADDRESS`), which receives the segment documents the X-Ray SDK sends
 * in Lambda mode (`LAMBDA_TASK_ROOT`, `_X_AMZN_TRACE_ID` as the Lambda runtime sets them).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type LoopbackUdpListener, listenOnLoopbackUdp } from '../../../stand-ins/loopback-server';
import { fixture } from '../../helpers/fixtures';
import type { IngestHarness } from '../../helpers/ingest-harness';

interface SegmentDocument {
  readonly name: string;
  readonly trace_id?: string;
  readonly namespace?: string;
  readonly aws?: { operation?: string };
  readonly subsegments?: SegmentDocument[];
}

const traceId = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
const LAMBDA_ENV = {
  LAMBDA_TASK_ROOT: '/var/task',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  _HANDLER: 'index.handler',
  _X_AMZN_TRACE_ID: `Root=${traceId};Parent=${randomBytes(8).toString('hex')};Sampled=1`,
};

let daemon: LoopbackUdpListener;
let documents: SegmentDocument[] = [];
let h: IngestHarness;
let ingestHandler: typeof import('../../../lambda/ingest/ingest-handler-factory');
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  daemon = await listenOnLoopbackUdp((message) => {
    // "{"format":"json","version":1}\n{segment}"
    const text = message.toString('utf8');
    documents.push(JSON.parse(text.slice(text.indexOf('\n') + 1)) as SegmentDocument);
  });
  const env = { ...LAMBDA_ENV, AWS_XRAY_DAEMON_ADDRESS: daemon.address };
  for (const [name, value] of Object.entries(env)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
  // Loaded only now: the X-Ray SDK reads the Lambda environment when it is loaded.
  ingestHandler = await import('../../../lambda/ingest/ingest-handler-factory');
  const { startIngestHarness } = await import('../../helpers/ingest-harness');
  h = await startIngestHarness({ POWERTOOLS_TRACE_ENABLED: 'true' });
});
afterAll(async () => {
  await h.close();
  await daemon.close();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function flatten(docs: readonly SegmentDocument[]): SegmentDocument[] {
  return docs.flatMap((doc) => [doc, ...flatten(doc.subsegments ?? [])]);
}

async function subsegmentsUntil(found: (all: SegmentDocument[]) => boolean): Promise<SegmentDocument[]> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    if (found(flatten(documents))) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return flatten(documents);
}

it('records the handler and the one DynamoDB call of a postback as subsegments of the invocation trace (no EventBridge call)', async () => {
  documents = [];

  const res = await h.post({ ...fixture('n101'), 'tracking-id': `trace-${randomUUID()}` });

  expect(res.body.result).toBe('accepted');
  const operations = (all: SegmentDocument[]) => all.filter((s) => s.namespace === 'aws').map((s) => `${s.name}.${s.aws?.operation}`);
  const all = await subsegmentsUntil((docs) => operations(docs).length >= 1 && docs.some((s) => s.name === '## index.handler'));
  expect(operations(all).sort()).toEqual(['DynamoDB.TransactWriteItems']);
  expect(all.map((s) => s.name)).toContain('## index.handler');
  for (const doc of documents) expect(doc.trace_id).toBe(traceId);
});

it('has no tracer unless tracing is enabled', () => {
  const env = { ...process.env, TABLE_NAME: 't', EVENT_BUS_NAME: 'b' };
  const tracer = (extra: Record<string, string | undefined>) => ingestHandler.defaultIngestDeps({ ...env, ...extra }).tracer;

  expect(tracer({ POWERTOOLS_TRACE_ENABLED: undefined })).toBeUndefined();
  expect(tracer({ POWERTOOLS_TRACE_ENABLED: 'false' })).toBeUndefined();
  expect(tracer({ POWERTOOLS_TRACE_ENABLED: 'true' })?.isTracingEnabled()).toBe(true);
});
