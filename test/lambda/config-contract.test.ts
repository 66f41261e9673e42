import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadIngestConfig, loadPublisherConfig, loadQueryConfig, loadStoreConfig, loadSweepConfig } from '../../lambda/config';
import {
  DEFAULTS,
  ENV,
  ingestEnvironment,
  publisherEnvironment,
  queryEnvironment,
  STATUS_UNKNOWN_OFF,
  sweepEnvironment,
} from '../../lambda/config-contract';

// The defaults, pinned: a change to one is deliberate and shows here (and in docs/operations.md).
describe('the defaults', () => {
  test('are the documented values', () => {
    expect(DEFAULTS).toEqual({
      eventSource: 'mms.postbacks',
      serviceName: 'mms-postbacks',
      metricsNamespace: 'MmsPostbacks',
      historyRetentionDays: 90,
      rejectedRetentionDays: 14,
      retryAfterSeconds: 5,
      secretRefreshSeconds: 300,
      statusUnknownAfterSeconds: 259_200,
      sweepMaxPerRun: 20_000,
      sweepPageSize: 50,
      sweepTimeoutSeconds: 60,
      publisherBatchSize: 10,
      publisherMaxBatchingWindowSeconds: 1,
      publisherRetryAttempts: 5,
      publisherTimeoutSeconds: 60,
      throttlingRateLimit: 5000,
      throttlingBurstLimit: 5000,
      archiveRetentionDays: 30,
      functionTimeoutSeconds: 10,
      memorySize: 512,
      logRetentionDays: 30,
      stageName: 'prod',
    });
    expect(STATUS_UNKNOWN_OFF).toBe(0);
  });

  test('the publisher batch fits one PutEvents request (at most 10 entries: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html)', () => {
    expect(DEFAULTS.publisherBatchSize).toBeLessThanOrEqual(10);
  });
});

// The contract's builders write what lambda/config.ts reads: a setting written under one name
// and read under another, or a default that differs between them, fails here.
describe('the configuration contract and lambda/config.ts', () => {
  test('the ingest environment of the defaults reads back as the defaults', () => {
    const env = ingestEnvironment({ tableName: 'postbacks', secret: { arn: 'arn:aws:secretsmanager:r:1:secret:s' } });
    expect(loadIngestConfig(env)).toEqual({
      tableName: 'postbacks',
      secret: { kind: 'secretsManager', secretArn: 'arn:aws:secretsmanager:r:1:secret:s', refreshSeconds: 300 },
      historyRetentionDays: 90,
      rejectedRetentionDays: 14,
      retryAfterSeconds: 5,
      statusUnknownAfterSeconds: 259_200,
      serviceName: 'mms-postbacks',
      metricsNamespace: 'MmsPostbacks',
    });
  });

  test('every ingest setting given reads back as given', () => {
    const settings = {
      tableName: 't',
      historyRetentionDays: 30,
      rejectedRetentionDays: 7,
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
    const required = { [ENV.tableName]: 't' };
    const written = loadIngestConfig(
      ingestEnvironment({ tableName: 't', secret: { value: 's' }, statusUnknownAfterSeconds: STATUS_UNKNOWN_OFF }),
    );
    const fallen = loadIngestConfig({ ...required, [ENV.secretValue]: 's' });
    expect(written).toEqual(fallen);
  });

  test('query, publisher and sweep environments read back', () => {
    expect(loadQueryConfig(queryEnvironment({ tableName: 't', serviceName: 'svc' }))).toEqual({
      tableName: 't',
      serviceName: 'svc',
      retryAfterSeconds: 5,
    });
    expect(loadQueryConfig(queryEnvironment({ tableName: 't', retryAfterSeconds: 7 })).retryAfterSeconds).toBe(7);
    expect(loadQueryConfig(queryEnvironment({ tableName: 't' }))).toEqual(loadQueryConfig({ [ENV.tableName]: 't' }));
    expect(loadPublisherConfig(publisherEnvironment({ eventBusName: 'b' }))).toEqual({
      eventBusName: 'b',
      eventSource: 'mms.postbacks',
      serviceName: 'mms-postbacks',
      metricsNamespace: 'MmsPostbacks',
    });
    const settings = {
      eventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/shared',
      eventSource: 'acme.mms',
      serviceName: 'acme',
      metricsNamespace: 'Acme',
    };
    expect(loadPublisherConfig(publisherEnvironment(settings))).toEqual(settings);
    const sweep = sweepEnvironment({ tableName: 't', statusUnknownAfterSeconds: 7200, historyRetentionDays: 30 });
    expect(loadSweepConfig(sweep)).toEqual({
      statusUnknownAfterSeconds: 7200,
      maxPerRun: 20_000,
      pageSize: 50,
    });
    // The sweep runs the ingest function's store; its events follow from the stream.
    expect(loadStoreConfig(sweep)).toMatchObject({ tableName: 't', historyRetentionDays: 30, statusUnknownAfterSeconds: 7200 });
  });

  test('tracing is written only when given', () => {
    expect(queryEnvironment({ tableName: 't' })).not.toHaveProperty(ENV.tracingEnabled);
    expect(queryEnvironment({ tableName: 't', tracing: true })).toHaveProperty(ENV.tracingEnabled, 'true');
    expect(publisherEnvironment({ eventBusName: 'b', tracing: false })).toHaveProperty(ENV.tracingEnabled, 'false');
  });

  test('only the publisher names a bus: the ingest function and the sweep publish nothing themselves', () => {
    expect(ingestEnvironment({ tableName: 't', secret: { value: 's' } })).not.toHaveProperty(ENV.eventBusName);
    expect(sweepEnvironment({ tableName: 't', statusUnknownAfterSeconds: 60 })).not.toHaveProperty(ENV.eventBusName);
    expect(publisherEnvironment({ eventBusName: 'b' })).toHaveProperty(ENV.eventBusName, 'b');
    expect(() => loadPublisherConfig({})).toThrow(new ConfigError('Missing required environment variable EVENT_BUS_NAME'));
  });
});

describe('loadSweepConfig', () => {
  const wait = { [ENV.statusUnknownAfterSeconds]: '7200' };

  test('the wait is required and positive: the sweep runs only when it is on', () => {
    expect(() => loadSweepConfig({})).toThrow(new ConfigError('Missing required environment variable STATUS_UNKNOWN_AFTER_SECONDS'));
    expect(() => loadSweepConfig({ [ENV.statusUnknownAfterSeconds]: '0' })).toThrow(
      new ConfigError('Environment variable STATUS_UNKNOWN_AFTER_SECONDS must be a positive integer, got "0"'),
    );
  });

  test('the page size is at most 100 (BatchGetItem reads at most 100 items per request)', () => {
    expect(loadSweepConfig({ ...wait, [ENV.sweepPageSize]: '100' }).pageSize).toBe(100);
    expect(() => loadSweepConfig({ ...wait, [ENV.sweepPageSize]: '101' })).toThrow(
      new ConfigError('Environment variable SWEEP_PAGE_SIZE must be at most 100, got 101'),
    );
  });
});

test('loadIngestConfig: STATUS_UNKNOWN_AFTER_SECONDS may be 0 (off), other counts must be positive', () => {
  const required = { [ENV.tableName]: 't' };
  expect(loadIngestConfig({ ...required, [ENV.statusUnknownAfterSeconds]: '0' }).statusUnknownAfterSeconds).toBe(0);
  expect(() => loadIngestConfig({ ...required, [ENV.statusUnknownAfterSeconds]: '-1' })).toThrow(
    new ConfigError('Environment variable STATUS_UNKNOWN_AFTER_SECONDS must be a non-negative integer, got "-1"'),
  );
  expect(() => loadIngestConfig({ ...required, [ENV.retryAfterSeconds]: '0' })).toThrow(
    new ConfigError('Environment variable RETRY_AFTER_SECONDS must be a positive integer, got "0"'),
  );
  expect(() => loadIngestConfig({ ...required, [ENV.historyRetentionDays]: '1.5' })).toThrow(
    new ConfigError('Environment variable HISTORY_RETENTION_DAYS must be a positive integer, got "1.5"'),
  );
});

// Adding a setting (docs/development.md, "Adding a setting"): each step that a test can see
// is checked here for every variable of ENV, so that a missed step fails.
describe('every setting has each step of "Adding a setting"', () => {
  const ROOT = path.join(__dirname, '..', '..');
  const configSource = readFileSync(path.join(ROOT, 'lambda', 'config.ts'), 'utf8');
  const deployDoc = readFileSync(path.join(ROOT, 'docs', 'deploy.md'), 'utf8');
  const table = deployDoc.slice(deployDoc.indexOf('## Configuration (function environment)'));
  const rows = table.split('\n').filter((line) => line.startsWith('| `'));
  // Tunables the construct does not set: the function reads them, and their defaults apply.
  const READ_ONLY: readonly string[] = [ENV.secretRefreshSeconds, ENV.sweepPageSize, ENV.sweepMaxPerRun];
  const written = new Set(
    Object.keys({
      ...ingestEnvironment({ tableName: 't', secret: { value: 's' }, tracing: true }),
      ...ingestEnvironment({ tableName: 't', secret: { arn: 'arn' } }),
      ...queryEnvironment({ tableName: 't' }),
      ...publisherEnvironment({ eventBusName: 'b' }),
      ...sweepEnvironment({ tableName: 't', statusUnknownAfterSeconds: 1 }),
    }),
  );

  test.each(Object.entries(ENV))(
    '%s (%s): read by lambda/config.ts, written by a builder, a row of docs/deploy.md with its default',
    (key, name) => {
      expect(configSource).toContain(`ENV.${key}`);
      if (!READ_ONLY.includes(name)) expect(written).toContain(name);
      const row = rows.find((line) => line.split('|')[1]?.includes(`\`${name}\``));
      expect(row).toBeDefined();
      const fallback = (DEFAULTS as Record<string, unknown>)[key];
      if (typeof fallback === 'number' || typeof fallback === 'string') expect(row).toContain(String(fallback));
    },
  );
});
