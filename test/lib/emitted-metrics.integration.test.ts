/**
 * The alarms and the dashboard read what the functions really emit.
 *
 * CloudWatch aggregates an EMF metric under exactly the dimension sets listed in its
 * line, and a metric is identified by namespace, name and the complete set of dimension
 * names: a metric emitted only under `{service, code}` is not the metric `{service}` that
 * an alarm reads (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension).
 *
 * This test runs the real handlers (production wiring, DynamoDB Local, the table's stream,
 * a loopback EventBridge) through every path that emits a metric, captures the EMF lines
 * they print, and checks that every metric of every alarm and of the dashboard of the
 * synthesized stack (AWS namespaces aside) has a producer: an emitted EMF metric with
 * the same namespace, name and dimension names, or a metric filter of the stack. The
 * faults are real where they can be made deterministic: an unreachable DynamoDB (the
 * discard port), a failing local EventBridge; a transaction conflict is a store that
 * answers one (a race of real copies is not deterministic), and an unbuildable entry a
 * stream record without its body.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { createPublisherHandler, defaultPublisherDeps } from '../../lambda/publisher/publisher-handler-factory';
import { createQueryHandler, defaultQueryDeps } from '../../lambda/query/query-handler-factory';
import { createStatusUnknownSweep, defaultSweepDeps } from '../../lambda/status-unknown-sweep/status-unknown-sweep-handler-factory';
import { MmsPostbacksStack } from '../../lib/mms-postbacks-stack';
import { readStackContext } from '../../lib/stack-context';
import { apiGatewayEvent } from '../helpers/api-gateway-event';
import { captureOutput, emfRecords } from '../helpers/captured-output';
import { fixture, interpreted } from '../helpers/fixtures';
import { type IngestHarness, startIngestHarness, TEST_SECRET } from '../helpers/ingest-harness';
import { lambdaContext } from '../helpers/lambda-context';
import { historyInsert } from '../helpers/stream-records';
import { templateOf, testApp } from './helpers';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation and EMF JSON
type Json = any;

/** One metric as CloudWatch identifies it. */
interface MetricId {
  readonly namespace: string;
  readonly name: string;
  /** Dimension names, sorted. */
  readonly dimensions: readonly string[];
}

const key = (m: MetricId) => `${m.namespace} | ${m.name} | {${m.dimensions.join(', ')}}`;
const isAwsNamespace = (namespace: string) => namespace.startsWith('AWS/');

/** Every metric of every EMF line (one per dimension set of each directive). */
function metricsOfEmfLines(lines: readonly Json[]): MetricId[] {
  const found: MetricId[] = [];
  for (const line of lines) {
    for (const directive of line._aws?.CloudWatchMetrics ?? []) {
      for (const dimensionSet of directive.Dimensions as string[][]) {
        // Every dimension of a set must have its value in the line, or CloudWatch drops the set.
        if (!dimensionSet.every((name) => typeof line[name] === 'string')) continue;
        for (const metric of directive.Metrics as { Name: string }[]) {
          if (typeof line[metric.Name] !== 'number') continue;
          found.push({ namespace: directive.Namespace, name: metric.Name, dimensions: [...dimensionSet].sort() });
        }
      }
    }
  }
  return found;
}

/** The metrics that the alarms of a template read (single-metric alarms and metric-math alarms). */
function metricsOfAlarms(template: Json): MetricId[] {
  const found: MetricId[] = [];
  for (const alarm of Object.values(template.Resources as Record<string, Json>).filter((r) => r.Type === 'AWS::CloudWatch::Alarm')) {
    const p = alarm.Properties;
    if (p.MetricName) {
      found.push({ namespace: p.Namespace, name: p.MetricName, dimensions: (p.Dimensions ?? []).map((d: Json) => d.Name).sort() });
    }
    for (const query of p.Metrics ?? []) {
      const metric = query.MetricStat?.Metric;
      if (metric) {
        found.push({
          namespace: metric.Namespace,
          name: metric.MetricName,
          dimensions: (metric.Dimensions ?? []).map((d: Json) => d.Name).sort(),
        });
      }
    }
  }
  return found;
}

/**
 * The metrics of the dashboard widgets. The body is an `Fn::Join` of strings and
 * references: each reference stands inside a JSON string, so a placeholder keeps it JSON.
 */
function metricsOfDashboards(template: Json): MetricId[] {
  const found: MetricId[] = [];
  for (const dashboard of Object.values(template.Resources as Record<string, Json>).filter(
    (r) => r.Type === 'AWS::CloudWatch::Dashboard',
  )) {
    const body = dashboard.Properties.DashboardBody;
    const text =
      typeof body === 'string' ? body : (body['Fn::Join'][1] as Json[]).map((part) => (typeof part === 'string' ? part : 'REF')).join('');
    for (const widget of JSON.parse(text).widgets as Json[]) {
      let previous: string[] = [];
      for (const entry of (widget.properties?.metrics ?? []) as Json[][]) {
        const parts = entry.filter((part) => typeof part === 'string') as string[];
        if (parts.length === 0) continue; // a math expression: its inputs are entries of their own
        // "." repeats the value at the same position of the previous entry.
        const resolved = parts.map((part, i) => (part === '.' ? (previous[i] as string) : part));
        previous = resolved;
        const [namespace, name, ...pairs] = resolved;
        const dimensions = pairs.filter((_, i) => i % 2 === 0).sort();
        found.push({ namespace: namespace as string, name: name as string, dimensions });
      }
    }
  }
  return found;
}

/** The metrics published by the metric filters of a template. */
function metricsOfMetricFilters(template: Json): MetricId[] {
  return Object.values(template.Resources as Record<string, Json>)
    .filter((r) => r.Type === 'AWS::Logs::MetricFilter')
    .flatMap((filter) =>
      (filter.Properties.MetricTransformations as Json[]).map((t) => ({
        namespace: t.MetricNamespace,
        name: t.MetricName,
        dimensions: (t.Dimensions ?? []).map((d: Json) => d.Key).sort(),
      })),
    );
}

let h: IngestHarness;
let out: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  // The harness turns metrics off by default; this test is about them.
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  h = await startIngestHarness();
  out = captureOutput();
});
afterAll(async () => {
  out.restore();
  await h.close();
});

/**
 * Repeats a request while it is answered 503, as the provider would (a busy machine can
 * make DynamoDB Local miss the client's timeout; the extra StoreFailed lines do no harm).
 */
async function untilNot503(request: () => ReturnType<IngestHarness['post']>): ReturnType<IngestHarness['post']> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const result = await request();
    if (result.statusCode !== 503) return result;
  }
  throw new Error('still 503 after 20 attempts');
}

const emitted = (name: string) => emfRecords(out.lines).some((line) => typeof line[name] === 'number');

/** Drives the handlers through every path that counts something, and returns the metrics they emitted. */
async function emitEveryMetric(): Promise<MetricId[]> {
  out.clear();
  const body = { ...fixture('n101'), 'tracking-id': `m-${randomUUID()}` };
  expect((await h.postUntilDone(body)).body).toMatchObject({ result: 'accepted' }); // PostbackAccepted
  expect((await h.postUntilDone(body)).body).toMatchObject({ result: 'duplicate' }); // PostbackDuplicate

  // PostbackConflict: the transaction met a concurrent write of the same message.
  const racing = h.handlerWith({}, (store) => ({
    save: async () => ({ outcome: 'conflict' }),
    saveRejected: (...args) => store.saveRejected(...args),
  }));
  expect((await h.post({ ...fixture('n102'), 'tracking-id': `m-${randomUUID()}` }, {}, racing)).statusCode).toBe(503);

  // PostbackRejected and PostbackUnauthorized.
  const badJson = () => h.post('{bad json', { query: { token: TEST_SECRET }, headers: { 'Content-Type': 'application/json' } });
  expect((await untilNot503(badJson)).statusCode).toBe(400);
  expect((await h.post(body, { headers: { 'X-Postback-Token': 'wrong', 'Content-Type': 'application/json' } })).statusCode).toBe(401);

  // StoreFailed: DynamoDB unreachable (the discard port).
  const other = { ...fixture('e102'), 'tracking-id': `m-${randomUUID()}` };
  expect((await h.post(other, {}, h.handlerWith({ AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' }))).statusCode).toBe(503);

  // The publisher from the table's stream: EventsPublished, EventsResent, PublishRetried; then with
  // EventBridge failing a while (the retry inside the invocation), and a record without its body (EventUnbuildable).
  await h.publishFromStream();
  h.bus.injectFault('partial', 1);
  await h.post({ ...fixture('n101'), 'tracking-id': `m-${randomUUID()}` });
  await h.publishFromStream();
  expect(emitted('PublishRetried')).toBe(true);
  const publisher = createPublisherHandler(defaultPublisherDeps({ ...process.env, EVENT_BUS_NAME: 'test-bus' }));
  const broken = historyInsert({ record: interpreted(other, new Date()), rawBody: JSON.stringify(other), isLatest: true }, '1');
  delete broken.dynamodb?.NewImage?.body;
  expect(await publisher({ Records: [broken] }, lambdaContext({ functionName: 'PublisherFunction' }))).toEqual({
    batchItemFailures: [{ itemIdentifier: '1' }],
  });

  // The query function, too: whatever it emits counts as produced.
  const query = createQueryHandler(defaultQueryDeps({ ...process.env, TABLE_NAME: h.table.tableName }));
  const event = apiGatewayEvent({
    method: 'GET',
    path: `/messages/${body['tracking-id']}`,
    resource: '/messages/{trackingId}',
    pathParameters: { trackingId: body['tracking-id'] },
    body: null,
  });
  expect(((await query(event, lambdaContext())) as APIGatewayProxyResult).statusCode).toBe(200);

  // The status-unknown sweep: MessageStatusUnknown, on every run.
  const sweep = createStatusUnknownSweep(
    defaultSweepDeps({ ...process.env, TABLE_NAME: h.table.tableName, EVENT_BUS_NAME: 'test-bus', STATUS_UNKNOWN_AFTER_SECONDS: '60' }),
  );
  expect(await sweep({}, lambdaContext())).toMatchObject({ failed: 0 });

  return metricsOfEmfLines(emfRecords(out.lines) as Json[]);
}

describe('what the alarms and the dashboard read is what the functions emit', () => {
  let read: MetricId[];
  let produced: Set<string>;

  beforeAll(async () => {
    const app = testApp();
    const stack = new MmsPostbacksStack(app, 'MmsPostbacksStack', {
      env: { account: '123456789012', region: 'eu-west-1' },
      config: readStackContext(app.node),
    });
    const template = templateOf(stack).toJSON();
    read = [...metricsOfAlarms(template), ...metricsOfDashboards(template)].filter((m) => !isAwsNamespace(m.namespace));
    const emitted = await emitEveryMetric();
    produced = new Set([...emitted, ...metricsOfMetricFilters(template)].map(key));
  }, 120_000);

  test('the template reads custom metrics from alarms and from the dashboard', () => {
    // Guards the walkers above: the stack has custom-metric alarms and dashboard graphs.
    expect(read.map((m) => m.name)).toEqual(
      expect.arrayContaining([
        'PostbackAccepted',
        'PostbackDuplicate',
        'PostbackConflict',
        'PostbackRejected',
        'PostbackUnauthorized',
        'StoreFailed',
        'EventsPublished',
        'EventsResent',
        'PublishRetried',
        'EventUnbuildable',
        'ApiThrottled',
        'MessageStatusUnknown',
      ]),
    );
  });

  test('every custom metric that an alarm or the dashboard reads is emitted under that namespace, name and dimension set', () => {
    const missing = [...new Set(read.map(key))].filter((k) => !produced.has(k));
    expect(missing).toEqual([]);
  });

  test('the per-code and per-reason breakdowns are emitted as well', () => {
    expect([...produced]).toEqual(
      expect.arrayContaining(['MmsPostbacks | PostbackAccepted | {code, service}', 'MmsPostbacks | PostbackRejected | {reason, service}']),
    );
  });
});

describe('the EMF and template walkers', () => {
  test('an EMF line with only a {service, code} set does not produce the {service} metric', () => {
    const line = {
      _aws: { CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [['service', 'code']], Metrics: [{ Name: 'M', Unit: 'Count' }] }] },
      service: 's',
      code: 'N101',
      M: 1,
    };
    expect(metricsOfEmfLines([line]).map(key)).toEqual(['N | M | {code, service}']);
  });

  test('dashboard entries with "." repeat the previous entry', () => {
    const template = {
      Resources: {
        D: {
          Type: 'AWS::CloudWatch::Dashboard',
          Properties: {
            DashboardBody: JSON.stringify({
              widgets: [{ properties: { metrics: [['N', 'A', 'service', 's'], ['.', 'B', '.', '.'], [{ expression: 'm1+m2' }]] } }],
            }),
          },
        },
      },
    };
    expect(metricsOfDashboards(template).map(key)).toEqual(['N | A | {service}', 'N | B | {service}']);
  });
});
