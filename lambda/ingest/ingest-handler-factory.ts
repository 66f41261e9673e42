import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { DynamoDbStore } from '../adapters/dynamodb-store';
import { createSecretSource, secretsManagerPort } from '../adapters/secret-source';
import { type AwsConfig, type IngestConfig, loadAwsConfig, loadIngestConfig, type StoreConfig } from '../config';
import { interpretPostback } from '../domain/postback';
import { validatePostback } from '../domain/validate';
import { UnavailableError, ValidationFailedError } from '../errors';
import { authenticate, errorResponder, keepRejected } from '../http/middlewares';
import { readPostbackBody } from '../http/request';
import { jsonResponse } from '../http/responses';
import { maskPhone } from '../logging';
import { countWithBreakdown, DIMENSION, METRIC } from '../observability';
import { functionClientConfig } from '../platform/aws-clients';
import { middyDeadlineOptions } from '../platform/deadline';
import { functionMiddy, type MeasuredFunctionDeps } from '../platform/function-setup';
import { createTracer, traced } from '../platform/tracing';
import type { PostbackStore, SecretSource } from '../ports';
import { createIngestPostback } from './ingest-postback';

/** The largest postback body the ingest function accepts, after base64 decoding (64 KiB); a larger one is refused with 413. */
export const MAX_POSTBACK_BODY_BYTES = 64 * 1024;

export interface IngestDeps extends MeasuredFunctionDeps {
  readonly config: Pick<IngestConfig, 'retryAfterSeconds'>;
  readonly store: PostbackStore;
  readonly secrets: SecretSource;
}

/**
 * Builds the `POST /postbacks` handler from its dependencies. The handler authenticates,
 * reads and validates the body, runs the ingest use case (`ingest-postback.ts`: one
 * DynamoDB transaction; the event follows from the table's stream) and turns its outcome into the answer, logs and metrics.
 *
 * @example
 * export const handler = createIngestHandler(defaultIngestDeps());
 */
export function createIngestHandler(deps: IngestDeps) {
  const { store, logger, metrics } = deps;
  const clock = deps.clock ?? (() => new Date());
  const ingestPostback = createIngestPostback({ store });

  const ingest = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const receivedAt = clock();
    const { json, text, format } = readPostbackBody(event, MAX_POSTBACK_BODY_BYTES);
    const result = validatePostback(json);
    if (!result.ok) throw new ValidationFailedError(result.details);
    const record = interpretPostback(result.postback, receivedAt, format, result.instant);
    logger.appendKeys({ trackingId: record.trackingId, postbackId: record.postbackId });
    if (record.statusMismatch) {
      logger.warn('Status text disagrees with the code; the code decides', { code: record.code, status: record.detail.status });
    }

    const outcome = await ingestPostback({ record, rawBody: text, receivedAt }, context);
    switch (outcome.outcome) {
      case 'store_failed':
        metrics.addMetric(METRIC.storeFailed, MetricUnit.Count, 1);
        throw new UnavailableError('could not store the postback', 'store', { cause: outcome.error });
      case 'duplicate':
        metrics.addMetric(METRIC.duplicate, MetricUnit.Count, 1);
        logger.info('Duplicate postback', { code: record.code });
        return jsonResponse(200, { result: 'duplicate', postbackId: record.postbackId, trackingId: record.trackingId });
      case 'conflict':
        // A concurrent write of the same message (a copy of this postback, most likely): the
        // sender's retry is a duplicate or is stored then. Logged at WARN by the error responder.
        metrics.addMetric(METRIC.conflict, MetricUnit.Count, 1);
        throw new UnavailableError('a concurrent write of the same message got in the way', 'conflict');
      case 'accepted':
        break;
    }

    countWithBreakdown(metrics, METRIC.accepted, DIMENSION.code, record.code);
    // DEBUG: the EMF line and the access-log line already tell each accepted postback, and
    // log bytes are paid per postback (a DEBUG log level shows it: see docs/cost.md).
    logger.debug('Postback accepted', {
      code: record.code,
      detailType: record.detailType,
      isLatest: outcome.isLatest,
      to: maskPhone(record.detail.to),
      from: maskPhone(record.detail.from),
    });
    return jsonResponse(200, {
      result: 'accepted',
      postbackId: record.postbackId,
      trackingId: record.trackingId,
      latest: outcome.isLatest,
    });
  };

  return functionMiddy<APIGatewayProxyEvent, APIGatewayProxyResult>(deps, middyDeadlineOptions())
    .use(errorResponder({ logger, retryAfterSeconds: deps.config.retryAfterSeconds }))
    .use(authenticate({ secrets: deps.secrets, logger, metrics }))
    .use(keepRejected({ store, logger, metrics, maxBodyBytes: MAX_POSTBACK_BODY_BYTES, clock }))
    .handler(ingest);
}

/**
 * The AWS SDK client (captured by the tracer), store, logger, metrics and tracer of an
 * ingest configuration, without a secret source: the ingest function adds its secret
 * source (see {@link defaultIngestDeps}); the status-unknown sweep uses these alone.
 *
 * @example
 * const { store } = ingestAdapters(loadIngestConfig(env), loadAwsConfig(env));
 */
export function ingestAdapters(config: StoreConfig, aws: AwsConfig) {
  const tracer = createTracer(config.serviceName, aws.tracingEnabled);
  const dynamodb = traced(tracer, new DynamoDBClient(functionClientConfig(aws, 'dynamodb')));
  return {
    clients: { dynamodb },
    store: new DynamoDbStore({
      client: dynamodb,
      tableName: config.tableName,
      historyRetentionDays: config.historyRetentionDays,
      rejectedRetentionDays: config.rejectedRetentionDays,
      statusUnknownAfterSeconds: config.statusUnknownAfterSeconds,
    }),
    logger: new Logger({ serviceName: config.serviceName }),
    metrics: new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName }),
    tracer,
  };
}

/**
 * The production wiring: configuration from the environment, AWS SDK clients created
 * once per container (endpoints only through the standard `AWS_ENDPOINT_URL_*` variables)
 * and captured by the tracer.
 *
 * @example
 * const deps = defaultIngestDeps({ ...process.env, TABLE_NAME: 'postbacks' });
 */
export function defaultIngestDeps(env: Readonly<Record<string, string | undefined>> = process.env): IngestDeps & {
  readonly store: DynamoDbStore;
  readonly clients: { readonly dynamodb: DynamoDBClient };
} {
  const config = loadIngestConfig(env);
  const aws = loadAwsConfig(env);
  const adapters = ingestAdapters(config, aws);
  const secretsManager = () =>
    secretsManagerPort(traced(adapters.tracer, new SecretsManagerClient(functionClientConfig(aws, 'secretsManager'))));
  return { config, ...adapters, secrets: createSecretSource(config.secret, secretsManager) };
}
