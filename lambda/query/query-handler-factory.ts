import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { DynamoDbMessageReader, type MessageReader } from '../adapters/dynamodb-message-reader';
import { loadAwsConfig, loadQueryConfig, type QueryConfig } from '../config';
import { BadRequestError, NotFoundError, UnavailableError } from '../errors';
import { errorResponder, requestIdOf } from '../http/middlewares';
import { jsonResponse } from '../http/responses';
import { functionClientConfig } from '../platform/aws-clients';
import { callOptions, middyDeadlineOptions } from '../platform/deadline';
import { functionMiddy } from '../platform/function-setup';
import { createTracer, traced } from '../platform/tracing';
import { clientReferenceDigest, isListedClientReference, MAX_LISTED_CLIENT_REFERENCE_BYTES } from '../table/client-reference-index';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;

export interface QueryDeps {
  readonly config: Pick<QueryConfig, 'retryAfterSeconds'>;
  readonly reader: MessageReader;
  readonly logger: Logger;
  /** Records the invocation and, through the client it captured, every DynamoDB call; absent when tracing is off. */
  readonly tracer?: Tracer;
}

/**
 * `nextToken` is opaque to callers: the tracking-id to continue after and the digest of
 * the client reference it belongs to, with a checksum, in base64url. A token that was
 * altered, or that belongs to another client reference, is refused with 400 rather than
 * silently answering another page.
 */
function tokenChecksum(payload: { r: string; a: string }): string {
  return createHash('sha256')
    .update(JSON.stringify([payload.r, payload.a]))
    .digest('base64url')
    .slice(0, 16);
}

function encodeToken(clientReference: string, after: string): string {
  const payload = { r: clientReferenceDigest(clientReference), a: after };
  return Buffer.from(JSON.stringify({ ...payload, s: tokenChecksum(payload) })).toString('base64url');
}

/** DynamoDB's limit of a sort key value (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html). */
const MAX_SORT_KEY_BYTES = 1024;

function decodeToken(token: string, clientReference: string): string {
  const invalid = new BadRequestError('invalid_parameter', 'nextToken is not valid for this query');
  let parsed: { r?: unknown; a?: unknown; s?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const { r, a, s } = parsed ?? {};
  if (typeof r !== 'string' || typeof a !== 'string' || a === '' || Buffer.byteLength(a, 'utf8') > MAX_SORT_KEY_BYTES) throw invalid;
  if (s !== tokenChecksum({ r, a }) || r !== clientReferenceDigest(clientReference)) throw invalid;
  return a;
}

/** A failed read answers 503 (the caller may retry), never internals. */
function unavailableOnFailure<T>(read: Promise<T>): Promise<T> {
  return read.catch((cause: unknown) => {
    throw new UnavailableError('could not read the table', 'store', { cause });
  });
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  if (!/^[0-9]{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIMIT) {
    throw new BadRequestError('invalid_parameter', `limit must be an integer from 1 to ${MAX_LIMIT}`);
  }
  return Number(raw);
}

/**
 * Builds the read API handler: `GET /messages/{trackingId}` and `GET /messages?clientReference=…`.
 *
 * @example
 * export const handler = createQueryHandler(defaultQueryDeps());
 */
export function createQueryHandler(deps: QueryDeps) {
  const { reader, logger } = deps;

  const query = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    if (event.httpMethod !== 'GET') {
      return jsonResponse(
        405,
        { error: 'method_not_allowed', message: `use GET, not ${event.httpMethod}`, requestId: requestIdOf(event, context) },
        { allow: 'GET' },
      );
    }
    const trackingId = event.pathParameters?.trackingId;
    if (trackingId !== undefined) {
      logger.appendKeys({ trackingId });
      const view = await unavailableOnFailure(reader.getMessage(trackingId, callOptions(context)));
      if (!view) throw new NotFoundError(`no message with tracking-id ${trackingId}`);
      return jsonResponse(200, { trackingId, ...view.state, history: view.history });
    }
    const params = event.queryStringParameters ?? {};
    const clientReference = params.clientReference;
    if (clientReference === undefined || clientReference.trim() === '') {
      throw new BadRequestError('invalid_parameter', 'clientReference is required');
    }
    if (!isListedClientReference(clientReference)) {
      // Such references are stored and published, but never listed (see isListedClientReference in table/client-reference-index.ts).
      throw new BadRequestError(
        'invalid_parameter',
        `clientReference must be at most ${MAX_LISTED_CLIENT_REFERENCE_BYTES} UTF-8 bytes: longer ones are not listed`,
      );
    }
    const limit = parseLimit(params.limit);
    const after = params.nextToken === undefined ? undefined : decodeToken(params.nextToken, clientReference);
    const page = await unavailableOnFailure(reader.listByClientReference(clientReference, limit, after, callOptions(context)));
    logger.info('Listed messages by client reference', { count: page.items.length });
    return jsonResponse(
      200,
      page.after === undefined ? { items: page.items } : { items: page.items, nextToken: encodeToken(clientReference, page.after) },
    );
  };

  return functionMiddy<APIGatewayProxyEvent, APIGatewayProxyResult>(deps, middyDeadlineOptions())
    .use(errorResponder({ logger, retryAfterSeconds: deps.config.retryAfterSeconds }))
    .handler(query);
}

/**
 * The production wiring of the query function.
 *
 * @example
 * const deps = defaultQueryDeps({ ...process.env, TABLE_NAME: 'postbacks' });
 */
export function defaultQueryDeps(env: Readonly<Record<string, string | undefined>> = process.env): QueryDeps {
  const config = loadQueryConfig(env);
  const aws = loadAwsConfig(env);
  const tracer = createTracer(config.serviceName, aws.tracingEnabled);
  const client = traced(tracer, new DynamoDBClient(functionClientConfig(aws, 'dynamodb')));
  return {
    config,
    reader: new DynamoDbMessageReader(client, config.tableName),
    logger: new Logger({ serviceName: config.serviceName }),
    tracer,
  };
}
