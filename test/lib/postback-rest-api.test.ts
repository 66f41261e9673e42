import type { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { MmsPostbackReceiver } from '../../lib/mms-postback-receiver';
import { defaultReceiver, everyOptionReceiver, logicalId, onlyResource } from './helpers';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
type Json = any;

describe('PostbackRestApi of a receiver with defaults', () => {
  let stack: Stack;
  let receiver: MmsPostbackReceiver;
  let template: Template;

  beforeAll(() => {
    ({ stack, receiver, template } = defaultReceiver());
  });

  test('routes: POST /postbacks (no API auth) to ingest, GET /messages and /messages/{trackingId} (IAM) to query', () => {
    const resources = template.findResources('AWS::ApiGateway::Resource');
    const pathParts = Object.values(resources).map((r: Json) => r.Properties.PathPart);
    expect(pathParts.sort()).toEqual(['messages', 'postbacks', '{trackingId}']);
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as Json[];
    expect(methods).toHaveLength(3);
    const byRoute = (resourcePart: string, verb: string) => {
      const [resourceId] = Object.entries(resources).find(([, r]: [string, Json]) => r.Properties.PathPart === resourcePart) as [
        string,
        Json,
      ];
      return methods.find((m) => m.Properties.HttpMethod === verb && m.Properties.ResourceId.Ref === resourceId)?.Properties;
    };
    const integrationOf = (fn: { node: { defaultChild?: unknown } }) =>
      expect.objectContaining({
        Type: 'AWS_PROXY',
        IntegrationHttpMethod: 'POST',
        Uri: { 'Fn::Join': ['', expect.arrayContaining([{ 'Fn::GetAtt': [logicalId(stack, fn), 'Arn'] }])] },
      });
    expect(byRoute('postbacks', 'POST')).toEqual(
      expect.objectContaining({ AuthorizationType: 'NONE', Integration: integrationOf(receiver.ingestFunction) }),
    );
    expect(byRoute('messages', 'GET')).toEqual(
      expect.objectContaining({ AuthorizationType: 'AWS_IAM', Integration: integrationOf(receiver.queryFunction) }),
    );
    expect(byRoute('{trackingId}', 'GET')).toEqual(
      expect.objectContaining({ AuthorizationType: 'AWS_IAM', Integration: integrationOf(receiver.queryFunction) }),
    );
    // One invoke permission per method, scoped to that method (no test-invoke permissions).
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')) as Json[];
    expect(permissions.filter((p) => p.Properties.Principal === 'apigateway.amazonaws.com')).toHaveLength(3);
  });

  test('REST API: regional, no resource policy by default, no CloudWatch account role', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
      Policy: Match.absent(),
    });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('REST API: JSON and XML bodies reach the function as their bytes (binary media types), so the charset is applied once', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      BinaryMediaTypes: ['application/json', 'application/xml', 'text/xml'],
    });
  });

  test('stage: throttling 5000/5000 (sized for a campaign), JSON access logs to the access log group, execution logging off', () => {
    const { resource } = onlyResource(template, 'AWS::ApiGateway::Stage');
    const props = resource.Properties as Json;
    expect(props.StageName).toBe('prod');
    expect(props.TracingEnabled).toBe(false);
    expect(props.MethodSettings).toEqual([
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        ThrottlingRateLimit: 5000,
        ThrottlingBurstLimit: 5000,
        LoggingLevel: 'OFF',
        DataTraceEnabled: false,
      }),
    ]);
    expect(props.AccessLogSetting.DestinationArn).toEqual({
      'Fn::Join': ['', ['arn:aws:logs:eu-west-1:123456789012:log-group:', { Ref: logicalId(stack, receiver.accessLogGroup) }]],
    });
    const format = JSON.parse(props.AccessLogSetting.Format);
    expect(format.resourcePath).toBe('$context.resourcePath');
    expect(props.AccessLogSetting.Format).not.toMatch(
      /\$context\.path|querystring|requestOverride|\$input|\$method\.request|token|authorization/i,
    );
  });
});

describe('PostbackRestApi of a receiver with every option', () => {
  let template: Template;

  beforeAll(() => {
    ({ template } = everyOptionReceiver());
  });

  test('resource policy: POST /postbacks only from the CIDRs; GET routes left to IAM', () => {
    const { resource } = onlyResource(template, 'AWS::ApiGateway::RestApi');
    expect((resource.Properties as Json).Policy.Statement).toEqual([
      {
        Sid: 'AllowPostbacksFromProvider',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*/POST/postbacks',
        Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } },
      },
      {
        Sid: 'DenyPostbacksFromOtherSources',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*/POST/postbacks',
        Condition: { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } },
      },
    ]);
  });

  test('apiGatewayCloudWatchRole: the account CloudWatch Logs role and setting, both retained, before the stage', () => {
    const { id: accountId, resource: account } = onlyResource(template, 'AWS::ApiGateway::Account');
    const roleRef = (account.Properties.CloudWatchRoleArn as Json)['Fn::GetAtt'];
    expect(roleRef[1]).toBe('Arn');
    const role = template.toJSON().Resources[roleRef[0]];
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'apigateway.amazonaws.com' });
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain(
      ':iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
    );
    expect(role.DeletionPolicy).toBe('Retain');
    template.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    // The stage's access logging needs the setting: the stage waits for it.
    const { resource: stage } = onlyResource(template, 'AWS::ApiGateway::Stage');
    expect((stage as Json).DependsOn).toContain(accountId);
  });
});
