import { loadIngestConfig, loadQueryConfig, loadRelayConfig, loadSweepConfig } from '../../lambda/config';
import {
  DEFAULTS,
  ENV,
  ingestEnvironment,
  queryEnvironment,
  relayEnvironment,
  STATUS_UNKNOWN_OFF,
  sweepEnvironment,
} from '../../lambda/config-contract';

// The contract's builders write what lambda/config.ts reads: a setting written under one name
// and read under another, or a default that differs between them, fails here.
describe('the configuration contract and lambda/config.ts', () => {
  test('the ingest environment of the defaults reads back as the defaults', () => {
    const env = ingestEnvironment({ tableName: 'postbacks', eventBusName: 'bus', secret: { arn: 'arn:aws:secretsmanager:r:1:secret:s' } });
    expect(loadIngestConfig(env)).toEqual({
      tableName: 'postbacks',
      eventBusName: 'bus',
      eventSource: DEFAULTS.eventSource,
      secret: { kind: 'secretsManager', secretArn: 'arn:aws:secretsmanager:r:1:secret:s', refreshSeconds: DEFAULTS.secretRefreshSeconds },
      historyRetentionDays: DEFAULTS.historyRetentionDays,
      rejectedRetentionDays: DEFAULTS.rejectedRetentionDays,
      leaseSeconds: DEFAULTS.leaseSeconds,
      retryAfterSeconds: DEFAULTS.retryAfterSeconds,
      statusUnknownAfterSeconds: DEFAULTS.statusUnknownAfterSeconds,
      serviceName: DEFAULTS.serviceName,
      metricsNamespace: DEFAULTS.metricsNamespace,
    });
  });

  test('every ingest setting given reads back as given', () => {
    const settings = {
      tableName: 't',
      eventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/shared',
      eventSource: 'acme.mms',
      historyRetentionDays: 30,
      rejectedRetentionDays: 7,
      leaseSeconds: 120,
      retryAfterSeconds: 9,
      statusUnknownAfterSeconds: 3600,
      serviceName: 'acme-mms',
      metricsNamespace: 'Acme',
    };
    expect(loadIngestConfig(ingestEnvironment({ ...settings, secret: { value: 'local-secret' } }))).toEqual({
      ...settings,
      secret: { kind: 'literal', value: 'local-secret' },
    });
  });

  test('the default values written are the defaults a function falls back to without them', () => {
    const required = { [ENV.tableName]: 't', [ENV.eventBusName]: 'b' };
    const written = loadIngestConfig(
      ingestEnvironment({ tableName: 't', eventBusName: 'b', secret: { value: 's' }, statusUnknownAfterSeconds: STATUS_UNKNOWN_OFF }),
    );
    const fallen = loadIngestConfig({ ...required, [ENV.secretValue]: 's' });
    expect(written).toEqual(fallen);
  });

  test('query, relay and sweep environments read back', () => {
    expect(loadQueryConfig(queryEnvironment({ tableName: 't', serviceName: 'svc' }))).toEqual({ tableName: 't', serviceName: 'svc' });
    expect(loadRelayConfig(relayEnvironment({ tableName: 't', eventBusName: 'b' }))).toEqual({
      tableName: 't',
      eventBusName: 'b',
      eventSource: DEFAULTS.eventSource,
      leaseSeconds: DEFAULTS.leaseSeconds,
      batchSize: DEFAULTS.relayBatchSize,
      serviceName: DEFAULTS.serviceName,
      metricsNamespace: DEFAULTS.metricsNamespace,
    });
    const sweep = sweepEnvironment({ tableName: 't', eventBusName: 'b', statusUnknownAfterSeconds: 7200, historyRetentionDays: 30 });
    expect(loadSweepConfig(sweep)).toEqual({
      statusUnknownAfterSeconds: 7200,
      maxPerRun: DEFAULTS.sweepMaxPerRun,
      pageSize: DEFAULTS.sweepPageSize,
    });
    // The sweep runs the ingest function's store and publisher, under its own lease.
    expect(loadIngestConfig(sweep)).toMatchObject({
      tableName: 't',
      eventBusName: 'b',
      historyRetentionDays: 30,
      leaseSeconds: DEFAULTS.sweepLeaseSeconds,
      secret: { kind: 'none' },
    });
  });

  test('tracing is written only when given', () => {
    expect(queryEnvironment({ tableName: 't' })).not.toHaveProperty(ENV.tracingEnabled);
    expect(queryEnvironment({ tableName: 't', tracing: true })).toHaveProperty(ENV.tracingEnabled, 'true');
    expect(relayEnvironment({ tableName: 't', eventBusName: 'b', tracing: false })).toHaveProperty(ENV.tracingEnabled, 'false');
  });

  test('the sweep lease outlasts the lease of an ingest invocation', () => {
    expect(DEFAULTS.sweepLeaseSeconds).toBeGreaterThan(DEFAULTS.leaseSeconds);
  });
});
