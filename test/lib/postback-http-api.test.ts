import { Match, type Template } from 'aws-cdk-lib/assertions';
import { MmsPostbackReceiver, ReceiverPropsError } from '../../lib/mms-postback-receiver';
import { MmsPostbacksStack } from '../../lib/mms-postbacks-stack';
import { HTTP_ACCESS_LOG_FIELDS, PostbackHttpApi } from '../../lib/postback-http-api';
import { API_THROTTLED_METRIC } from '../../lib/postback-monitoring';
import { ContextError, readStackContext } from '../../lib/stack-context';
import { nagFindings, templateOf, testApp, testStack } from './helpers';

const ENV = { account: '123456789012', region: 'eu-west-1' };

describe('MmsPostbacksStack with -c apiType=http', () => {
  let stack: MmsPostbacksStack;
  let template: Template;

  beforeAll(() => {
    const app = testApp({ context: { apiType: 'http', throttlingRateLimit: '2500', throttlingBurstLimit: '4000' } });
    stack = new MmsPostbacksStack(app, 'MmsPostbacksStack', { env: ENV, config: readStackContext(app.node) });
    template = templateOf(stack);
  });

  test('an HTTP API and no REST API', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    template.resourceCountIs('AWS::ApiGateway::Stage', 0);
    expect(stack.receiver.restApi).toBeUndefined();
    expect(stack.receiver.httpApi).toBeInstanceOf(PostbackHttpApi);
    expect(stack.receiver.api).toBe(stack.receiver.httpApi?.httpApi);
  });

  test('the three routes: POST /postbacks open (the function authenticates), both reads IAM-authorized', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => [
      r.Properties.RouteKey,
      r.Properties.AuthorizationType,
    ]);
    expect(routes.sort()).toEqual([
      ['GET /messages', 'AWS_IAM'],
      ['GET /messages/{trackingId}', 'AWS_IAM'],
      ['POST /postbacks', 'NONE'],
    ]);
  });

  test('the functions get payload format 1.0 (the REST proxy event), each its own integration', () => {
    const integrations = Object.values(template.findResources('AWS::ApiGatewayV2::Integration'));
    expect(integrations).toHaveLength(2);
    for (const integration of integrations) {
      expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '1.0' });
    }
  });

  test('one named, auto-deployed stage with throttling and a JSON access log without secrets', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'prod',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 2500, ThrottlingBurstLimit: 4000 },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReceiverApiAccessLogs'), 'Arn'] } },
    });
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    const format = JSON.parse(stage?.Properties.AccessLogSettings.Format);
    expect(format).toEqual(HTTP_ACCESS_LOG_FIELDS);
    expect(JSON.stringify(format)).not.toMatch(/\$context\.path|\$input|\$request|querystring|header/i);
  });

  test('the API alarms read the HTTP API metrics (5xx and 4xx rates, throttled requests from its access log) of this API', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Statistic: 'Average',
      Dimensions: Match.arrayWith([
        { Name: 'ApiId', Value: { Ref: Match.stringLikeRegexp('^ReceiverApi') } },
        { Name: 'Stage', Value: 'prod' },
      ]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '4xx',
      Statistic: 'Average',
      Dimensions: Match.arrayWith([{ Name: 'ApiId', Value: { Ref: Match.stringLikeRegexp('^ReceiverApi') } }]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: API_THROTTLED_METRIC,
      Dimensions: [{ Name: 'apiId', Value: { Ref: Match.stringLikeRegexp('^ReceiverApi') } }],
    });
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('^ReceiverApiAccessLogs') },
      MetricTransformations: [Match.objectLike({ MetricName: API_THROTTLED_METRIC, Dimensions: [{ Key: 'apiId', Value: '$.apiId' }] })],
    });
    const restMetrics = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) =>
      ['5XXError', '4XXError'].includes(a.Properties.MetricName),
    );
    expect(restMetrics).toEqual([]);
  });

  test('outputs: postback and query URLs on the stage', () => {
    const outputs = template.findOutputs('*');
    const url = (output: string) => JSON.stringify(outputs[output]?.Value);
    expect(url('PostbackUrl')).toContain('.execute-api.eu-west-1.');
    expect(url('PostbackUrl')).toMatch(/\/prod\/postbacks"\]\]\}$/);
    expect(url('QueryUrl')).toMatch(/\/prod\/messages"\]\]\}$/);
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('apiType', () => {
  test('allowedSourceCidrs with an HTTP API fails at synth and says why', () => {
    const stack = testStack();
    expect(() => new MmsPostbackReceiver(stack, 'Receiver', { apiType: 'http', allowedSourceCidrs: ['203.0.113.0/24'] })).toThrow(
      new ReceiverPropsError(
        'allowedSourceCidrs needs apiType \'rest\': an HTTP API has no resource policy, so it cannot limit callers by source IP. Use the REST API, or put CloudFront with AWS WAF in front of the HTTP API (docs/deploy.md, "REST or HTTP API")',
      ),
    );
  });

  test('the context refuses an unknown API type', () => {
    const app = testApp({ context: { apiType: 'websocket' } });
    expect(() => readStackContext(app.node)).toThrow(new ContextError('apiType', 'expected rest or http, got "websocket"'));
  });

  test('REST stays the default', () => {
    const stack = testStack();
    const receiver = new MmsPostbackReceiver(stack, 'Receiver');
    const template = templateOf(stack);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
    expect(receiver.api).toBe(receiver.restApi);
    expect(receiver.httpApi).toBeUndefined();
  });
});
