import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createIngestHandler, type IngestDeps } from '../../lambda/ingest/ingest-handler-factory';
import { InMemoryPostbackStore } from '../fakes/in-memory-postback-store';

/** The shared secret the handlers of {@link unitIngestHandler} accept. */
export const UNIT_SECRET = 'unit-secret-0123456789';

/**
 * The ingest handler of the unit tier: the in-memory store, {@link UNIT_SECRET} as the only
 * secret, a `Retry-After` of 2 s, and the production logger and metrics; override any
 * dependency (a store that fails, a fake clock, a log level).
 *
 * @example
 * const handler = unitIngestHandler({ store, clock: time.now });
 */
export function unitIngestHandler(overrides: Partial<IngestDeps> & { readonly logLevel?: LogLevel } = {}) {
  const { logLevel = 'INFO', ...deps } = overrides;
  return createIngestHandler({
    config: { retryAfterSeconds: 2 },
    store: new InMemoryPostbackStore(),
    secrets: { secrets: async () => [UNIT_SECRET] },
    logger: new Logger({ serviceName: 'mms-postbacks', logLevel }),
    metrics: new Metrics({ namespace: 'MmsPostbacks', serviceName: 'mms-postbacks' }),
    ...deps,
  });
}
