import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { addRetryableGatewayResponses, RETRYABLE_GATEWAY_RESPONSES } from '../../lib/gateway-responses';
import { MmsPostbackReceiver } from '../../lib/mms-postback-receiver';
import { testStack } from './helpers';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
type Json = any;

/** The gateway responses of a template, by response type. */
function responsesOf(template: Template): Map<string, Json> {
  const all = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')) as Json[];
  return new Map(all.map((r) => [r.Properties.ResponseType, r.Properties]));
}

describe('the receiver answers what API Gateway refuses by itself with a 503 that senders retry', () => {
  test.each([
    ['THROTTLED', 5],
    ['QUOTA_EXCEEDED', 5],
    ['INTEGRATION_TIMEOUT', 5],
    ['INTEGRATION_FAILURE', 5],
    ['DEFAULT_5XX', 5],
  ])('%s: 503, JSON {"error":"unavailable"}, Retry-After', (type, retryAfter) => {
    const stack = testStack();
    new MmsPostbackReceiver(stack, 'Receiver');
    const response = responsesOf(Template.fromStack(stack)).get(type);
    expect(response).toBeDefined();
    expect(response.StatusCode).toBe('503');
    expect(response.ResponseParameters).toEqual({
      'gatewayresponse.header.Retry-After': `'${retryAfter}'`,
      'gatewayresponse.header.Content-Type': "'application/json'",
    });
    expect(JSON.parse(response.ResponseTemplates['application/json'])).toEqual({
      error: 'unavailable',
      message: 'the service is temporarily unavailable: retry after the Retry-After seconds',
      requestId: '$context.requestId',
    });
  });

  test('Retry-After follows retryAfterSeconds; the only other response changed is DEFAULT_4XX', () => {
    const stack = testStack();
    new MmsPostbackReceiver(stack, 'Receiver', { retryAfterSeconds: 9 });
    const responses = responsesOf(Template.fromStack(stack));
    expect([...responses.keys()].sort()).toEqual([...RETRYABLE_GATEWAY_RESPONSES.map((t) => t.responseType), 'DEFAULT_4XX'].sort());
    for (const type of RETRYABLE_GATEWAY_RESPONSES) {
      expect(responses.get(type.responseType).ResponseParameters['gatewayresponse.header.Retry-After']).toBe("'9'");
    }
  });

  test("API Gateway's own 4xx keep their status and gain the request id in the body", () => {
    const stack = testStack();
    new MmsPostbackReceiver(stack, 'Receiver');
    const response = responsesOf(Template.fromStack(stack)).get('DEFAULT_4XX');
    expect(response.StatusCode).toBeUndefined();
    expect(response.ResponseParameters).toEqual({ 'gatewayresponse.header.Content-Type': "'application/json'" });
    expect(response.ResponseTemplates['application/json']).toBe(
      '{"error":"$context.error.responseType","message":$context.error.messageString,"requestId":"$context.requestId"}',
    );
  });

  test('on any REST API', () => {
    const stack = testStack();
    const api = new apigateway.RestApi(stack, 'Api', { cloudWatchRole: false });
    api.root.addMethod('GET');
    const added = addRetryableGatewayResponses(api, 3);
    expect(added).toHaveLength(6);
    Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::GatewayResponse', 6);
  });
});
