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
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  apiId: F.contextApiId(),
  requestId: F.contextRequestId(),
  extendedRequestId: F.contextExtendedRequestId(),
  requestTime: F.contextRequestTime(),
  requestTimeEpoch: F.contextRequestTimeEpoch(),
  httpMethod: F.contextHttpMethod(),
  resourcePath: F.contextResourcePath(),
  stage: F.contextStage(),
  protocol: F.contextProtocol(),
  status: F.contextStatus(),
  responseLength: F.contextResponseLength(),
  responseLatency: F.contextResponseLatency(),
  integrationStatus: F.contextIntegrationStatus(),
  integrationLatency: F.contextIntegrationLatency(),
  integrationError: F.contextIntegrationErrorMessage(),
  errorType: F.contextErrorResponseType(),
  errorMessage: F.contextErrorMessage(),
  sourceIp: F.contextIdentitySourceIp(),
  userAgent: F.contextIdentityUserAgent(),
  userArn: F.contextIdentityUserArn(),
  xrayTraceId: F.contextXrayTraceId(),
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
