import * as apigateway from 'aws-cdk-lib/aws-apigateway';

const F = apigateway.AccessLogField;

/**
 * The fields of the API's JSON access log, one line per request.
 *
 * The provider may send the shared secret in the query string (`?token=…`) or in the
 * `Authorization` header (Basic auth). Neither may reach a log, so this format:
 * - logs `$context.resourcePath` (the route template, e.g. `/messages/{trackingId}`),
 *   never `$context.path` or any request-override or raw-request variable;
 * - has no `$input.*`, `$method.request.*` or `$context.requestOverride.*` variable, so
 *   no query string, header or body can ever be written;
 * - logs the IAM caller (`userArn`) of the IAM-authorized read routes, which is no secret.
 *
 * `apiId` and `errorType` (API Gateway's gateway response type, e.g. `THROTTLED`) feed the
 * metric filter that counts throttled requests per API.
 *
 * Execution logging (which would print the query string) stays off on the stage.
 *
 * Trimmed to what an operator needs to follow a request (id, time, route, status, latency,
 * the gateway's or the integration's error, caller): every accepted postback writes one
 * line, paid as CloudWatch Logs ingestion (see docs/cost.md). The function's own logs carry
 * the postback's ids and the EMF metrics.
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  apiId: F.contextApiId(),
  requestId: F.contextRequestId(),
  requestTime: F.contextRequestTime(),
  httpMethod: F.contextHttpMethod(),
  resourcePath: F.contextResourcePath(),
  status: F.contextStatus(),
  responseLatency: F.contextResponseLatency(),
  integrationError: F.contextIntegrationErrorMessage(),
  errorType: F.contextErrorResponseType(),
  errorMessage: F.contextErrorMessage(),
  sourceIp: F.contextIdentitySourceIp(),
  userArn: F.contextIdentityUserArn(),
};

/**
 * The access log format of the receiver's stage: JSON, without any secret.
 *
 * @example
 * new apigateway.RestApi(this, 'Api', {
 *   deployOptions: { accessLogFormat: postbackAccessLogFormat(), accessLogDestination },
 * });
 */
export function postbackAccessLogFormat(): apigateway.AccessLogFormat {
  return apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS));
}
