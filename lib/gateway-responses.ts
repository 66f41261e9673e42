import * as apigateway from 'aws-cdk-lib/aws-apigateway';

/**
 * The answers API Gateway gives by itself that are not the sender's fault, and that a
 * sender must therefore retry: throttling (429 by default), a usage-plan quota (429),
 * an integration that timed out or failed (504) and every other 5xx of the gateway.
 * See https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */
export const RETRYABLE_GATEWAY_RESPONSES: readonly apigateway.ResponseType[] = [
  apigateway.ResponseType.THROTTLED,
  apigateway.ResponseType.QUOTA_EXCEEDED,
  apigateway.ResponseType.INTEGRATION_TIMEOUT,
  apigateway.ResponseType.INTEGRATION_FAILURE,
  apigateway.ResponseType.DEFAULT_5XX,
];

/**
 * The body of those answers: the same as the functions' own 503, with the request id that API
 * Gateway also sends in the `x-amzn-RequestId` header (a gateway response template substitutes
 * `$context` variables: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html).
 */
export const UNAVAILABLE_BODY =
  '{"error":"unavailable","message":"the service is temporarily unavailable: retry after the Retry-After seconds","requestId":"$context.requestId"}';

/**
 * The body of API Gateway's other own refusals (4xx: a missing or wrong IAM signature, a body
 * over API Gateway's limit, …): its own message (`messageString` is the message already quoted
 * for JSON) and the request id, like every error answer of the functions.
 */
export const GATEWAY_4XX_BODY =
  '{"error":"$context.error.responseType","message":$context.error.messageString,"requestId":"$context.requestId"}';

/**
 * Turns API Gateway's own throttling, quota and integration errors into
 * `503 {"error":"unavailable"}` with `Retry-After`, the answer the functions give for a
 * server-side failure: a 429 is a 4xx that a sender may not retry, and a 502/504 carries
 * no `Retry-After`. Note that API Gateway counts such modified responses in its
 * `4XXError` metric (see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html).
 *
 * @param api the REST API
 * @param retryAfterSeconds the `Retry-After` value, in seconds
 * @returns the gateway responses, in the order of {@link RETRYABLE_GATEWAY_RESPONSES}, then the `DEFAULT_4XX` one
 * @example
 * addRetryableGatewayResponses(api, 5); // THROTTLED → 503 {"error":"unavailable"}, Retry-After: 5
 */
export function addRetryableGatewayResponses(api: apigateway.RestApi, retryAfterSeconds: number): apigateway.GatewayResponse[] {
  const retryable = RETRYABLE_GATEWAY_RESPONSES.map((type) =>
    api.addGatewayResponse(`${pascalCase(type.responseType)}Response`, {
      type,
      statusCode: '503',
      // Static header values are quoted in single quotes.
      responseHeaders: { 'Retry-After': `'${retryAfterSeconds}'`, 'Content-Type': "'application/json'" },
      templates: { 'application/json': UNAVAILABLE_BODY },
    }),
  );
  // Status code and headers stay API Gateway's own; only the body gains the request id.
  const other4xx = api.addGatewayResponse('Default4xxResponse', {
    type: apigateway.ResponseType.DEFAULT_4XX,
    responseHeaders: { 'Content-Type': "'application/json'" },
    templates: { 'application/json': GATEWAY_4XX_BODY },
  });
  return [...retryable, other4xx];
}

function pascalCase(name: string): string {
  return name
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}
