/**
 * The relay's metric: every run emits `OldestUnpublishedAgeSeconds` (0 when nothing is
 * pending), so that its alarm can treat missing data as a relay that does not run.
 */
import { randomUUID } from 'node:crypto';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRIC } from '../../../lambda/observability';
import { createRelayHandler, defaultRelayDeps } from '../../../lambda/relay/relay-handler-factory';
import { captureOutput, emfRecords } from '../../helpers/captured-output';
import { fixture } from '../../helpers/fixtures';
import { type IngestHarness, startIngestHarness } from '../../helpers/ingest-harness';
import { lambdaContext } from '../../helpers/lambda-context';

let h: IngestHarness;
let out: ReturnType<typeof captureOutput>;
beforeAll(async () => {
  h = await startIngestHarness();
  out = captureOutput();
});
afterAll(async () => {
  out.restore();
  await h.close();
});

async function runAt(at: Date) {
  out.clear();
  const previous = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const metrics = new Metrics({ namespace: 'MmsPostbacks', serviceName: 'relay-test' });
  process.env.POWERTOOLS_METRICS_DISABLED = previous;
  const deps = defaultRelayDeps({ ...process.env, TABLE_NAME: h.table.tableName, EVENT_BUS_NAME: 'test-bus' });
  await createRelayHandler({ ...deps, metrics, clock: () => at })({}, lambdaContext({ functionName: 'RelayFunction' }));
  return emfRecords(out.lines);
}

it('emits the age of the oldest unpublished entry every run: 0 when none, its age otherwise', async () => {
  const now = new Date();
  const idle = await runAt(now);
  expect(idle).toHaveLength(1);
  expect(idle[0]).toMatchObject({ service: 'relay-test', [METRIC.oldestUnpublishedAge]: 0, [METRIC.relayPublished]: 0 });

  // A postback stored and left unpublished (PutEvents failing; its lease given up).
  h.bus.injectFault('http500', 10);
  expect((await h.post({ ...fixture('n101'), 'tracking-id': `m-${randomUUID()}` })).statusCode).toBe(503);
  h.bus.clearFaults();

  const busy = await runAt(new Date(Date.now() + 300_000));
  expect(busy[0]).toMatchObject({ [METRIC.relayPublished]: 1, [METRIC.relayFailed]: 0 });
  expect(busy[0]?.[METRIC.oldestUnpublishedAge]).toBeGreaterThanOrEqual(300);
  expect(
    (busy[0]!._aws as { CloudWatchMetrics: { Metrics: { Name: string; Unit: string }[] }[] }).CloudWatchMetrics[0]?.Metrics,
  ).toContainEqual({
    Name: METRIC.oldestUnpublishedAge,
    Unit: 'Seconds',
  });
});
