/**
 * The benchmark's yardstick, not part of the product: the receiver as it is commonly
 * written, a middy function with `@middy/validator` and the DynamoDB DocumentClient, SDK
 * clients with their default configuration (the whole default credential chain). It does
 * less than the ingest function: no transaction, no history, no latest-state rule, no
 * Secrets Manager, no logs or metrics; one conditional put (a repeat answers `duplicate`)
 * and one event. `bench/run.ts` bundles it with the stack's esbuild options and measures
 * it side by side with the ingest function.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import validator from '@middy/validator';
import { transpileSchema } from '@middy/validator/transpile';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { POSTBACK_SCHEMA } from '../lambda/domain/postback-schema';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const events = new EventBridgeClient({});
const { TABLE_NAME, EVENT_BUS_NAME, CONVENTIONAL_SECRET } = process.env;

type Postback = Record<string, string | undefined>;
type ParsedEvent = Omit<APIGatewayProxyEvent, 'body'> & { body: Postback };

const answer = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const receive = async (event: ParsedEvent): Promise<APIGatewayProxyResult> => {
  const postback = event.body;
  const trackingId = postback['tracking-id'] ?? `${postback.from}-${postback.to}-${postback.timestamp}`;
  try {
    await documents.send(
      new PutCommand({
        TableName: TABLE_NAME,
        Item: {
          pk: `CONVENTIONAL#${trackingId}`,
          sk: `${postback.code}#${postback.timestamp}`,
          postback,
          receivedAt: new Date().toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return answer(200, { result: 'duplicate', trackingId });
    throw error;
  }
  await events.send(
    new PutEventsCommand({
      Entries: [{ EventBusName: EVENT_BUS_NAME, Source: 'mms.postbacks', DetailType: 'MMS Postback', Detail: JSON.stringify(postback) }],
    }),
  );
  return answer(200, { result: 'accepted', trackingId });
};

export const handler = middy<ParsedEvent, APIGatewayProxyResult>()
  .before((request) => {
    if (request.event.headers['X-Postback-Token'] !== CONVENTIONAL_SECRET) {
      request.earlyResponse = answer(401, { error: 'unauthorized' });
      return;
    }
    // API Gateway passes JSON bodies as bytes (binaryMediaTypes), base64-encoded, as it does for our function.
    const raw = request.event.body as unknown as string;
    request.event.body = JSON.parse(request.event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw) as Postback;
  })
  .use(
    validator({
      // `required` inside `if/then` names properties declared at the top: not an error of the schema.
      eventSchema: transpileSchema(
        { type: 'object', required: ['body'], properties: { body: POSTBACK_SCHEMA } },
        { strictRequired: false },
      ),
    }),
  )
  .onError((request) => {
    request.response = answer((request.error as { statusCode?: number }).statusCode ?? 500, { error: request.error?.message });
  })
  .handler(receive);
