import { Annotations, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { BINARY_MEDIA_TYPES } from '../lambda/http/request';
import { postbackAccessLogFormat } from './access-log-format';
import { addRetryableGatewayResponses } from './gateway-responses';
import type { PostbackHttpApiProps } from './postback-http-api';
import { propHint } from './receiver-props';

/** Properties of {@link PostbackRestApi}: those of the HTTP API, and what only a REST API has. */
export interface PostbackRestApiProps extends PostbackHttpApiProps {
  /** Name of the API. */
  readonly apiName: string;
  /** The `Retry-After` (seconds) of the gateway's 503 answers. */
  readonly retryAfterSeconds: number;
  /** Active X-Ray tracing of the stage. */
  readonly tracing: boolean;
  /**
   * CIDR ranges allowed to call `POST /postbacks` (a resource policy).
   *
   * @default - no source restriction
   */
  readonly allowedSourceCidrs?: readonly string[];
  /**
   * Create the region's API Gateway account CloudWatch Logs role (retained).
   *
   * @default false
   */
  readonly apiGatewayCloudWatchRole?: boolean;
  /**
   * How the synth messages name a setting (see `MmsPostbackReceiverProps.settingHint`).
   *
   * @default - the prop: `the prop apiGatewayCloudWatchRole: true`
   */
  readonly settingHint?: (prop: 'apiGatewayCloudWatchRole', value: string) => string;
}

/**
 * The receiver's REST API: regional, `POST /postbacks` (no API authorization: the ingest
 * function checks the shared secret) and IAM-authorized `GET /messages` and
 * `GET /messages/{trackingId}`; a throttled stage with JSON access logs and execution
 * logging off; retryable gateway responses; an optional source-IP resource policy.
 *
 * @example
 * new PostbackRestApi(this, 'Api', { ingestFunction, queryFunction, accessLogGroup, stageName: 'prod',
 *   throttlingRateLimit: 5000, throttlingBurstLimit: 5000, retryAfterSeconds: 5, tracing: false, apiName: 'postbacks' });
 */
export class PostbackRestApi extends apigateway.RestApi {
  constructor(scope: Construct, id: string, props: PostbackRestApiProps) {
    super(scope, id, {
      restApiName: props.apiName,
      description: 'MMS postback receiver: POST /postbacks (provider), GET /messages (IAM)',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Pass these bodies to the function as their bytes (base64), so that the declared charset is applied once, there.
      binaryMediaTypes: [...BINARY_MEDIA_TYPES],
      // The account-level role is shared by every REST API of the region: created only on request, and retained.
      cloudWatchRole: props.apiGatewayCloudWatchRole ?? false,
      cloudWatchRoleRemovalPolicy: props.apiGatewayCloudWatchRole ? RemovalPolicy.RETAIN : undefined,
      policy: props.allowedSourceCidrs ? sourceIpPolicy(props.allowedSourceCidrs) : undefined,
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: props.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit,
        accessLogDestination: new apigateway.LogGroupLogDestination(props.accessLogGroup),
        accessLogFormat: postbackAccessLogFormat(),
        // Execution logs would print the query string (?token=) and headers: keep them off.
        loggingLevel: apigateway.MethodLoggingLevel.OFF,
        dataTraceEnabled: false,
        metricsEnabled: false,
        tracingEnabled: props.tracing,
      },
    });
    // RestApi adds a stack output "Endpoint" by itself; the stack that uses the construct
    // decides its outputs (postbackUrl, queryUrl), so drop it.
    this.node.tryRemoveChild('Endpoint');
    // A resource policy takes effect only with a new deployment: tie the deployment to it.
    this.latestDeployment?.addToLogicalId({ allowedSourceCidrs: props.allowedSourceCidrs ?? null });
    addRetryableGatewayResponses(this, props.retryAfterSeconds);
    if (props.apiGatewayCloudWatchRole) {
      Validations.of(this.node.findChild('CloudWatchRole')).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'API Gateway documents this AWS managed policy for its account-level CloudWatch Logs role; AWS keeps it to the log actions the service needs.',
      });
    } else {
      Annotations.of(this).addInfo(
        `The stage writes access logs: the region needs the API Gateway account CloudWatch Logs role once (see docs/deploy.md). If \`aws apigateway get-account\` shows no cloudwatchRoleArn, deploy with ${(props.settingHint ?? propHint)('apiGatewayCloudWatchRole', 'true')}.`,
      );
    }

    const ingest = new apigateway.LambdaIntegration(props.ingestFunction, { proxy: true, allowTestInvoke: false });
    const query = new apigateway.LambdaIntegration(props.queryFunction, { proxy: true, allowTestInvoke: false });
    const postbacks = this.root.addResource('postbacks');
    const post = postbacks.addMethod('POST', ingest, { authorizationType: apigateway.AuthorizationType.NONE });
    const messages = this.root.addResource('messages');
    const list = messages.addMethod('GET', query, {
      authorizationType: apigateway.AuthorizationType.IAM,
      requestParameters: { 'method.request.querystring.clientReference': false },
    });
    const get = messages.addResource('{trackingId}').addMethod('GET', query, {
      authorizationType: apigateway.AuthorizationType.IAM,
      requestParameters: { 'method.request.path.trackingId': true },
    });

    Validations.of(post).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The provider cannot sign requests or use tokens from an authorizer: the ingest function authenticates every request with the shared secret (Basic auth, X-Postback-Token or ?token=) in constant time, fail closed.',
    });
    Validations.of(post).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'The provider cannot use Cognito; the ingest function authenticates with the shared secret (see APIG4).',
    });
    for (const method of [list, get]) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason: 'The read routes use IAM authorization (SigV4) for people and services of the account: no Cognito user pool is involved.',
      });
    }
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Requests are validated in the functions with ajv: an invalid postback must reach the ingest function, which stores it as a rejected record and answers a JSON error.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'No WAF by default: the endpoint is authenticated by a shared secret, throttled on the stage and optionally limited to the provider CIDRs; associate a web ACL with the stage if the account requires one.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-APIG6',
      reason:
        'Execution logging is off on purpose: it would write the query string (?token=, the shared secret) and headers to CloudWatch. JSON access logs without secrets are on.',
    });
  }
}

/**
 * Resource policy: `POST /postbacks` only from the allowed ranges (explicit allow plus
 * an explicit deny for other sources). The GET routes get no statement, so that IAM
 * authorization alone decides for callers of the same account (cross-account callers
 * stay refused, as without a policy).
 */
function sourceIpPolicy(cidrs: readonly string[]): iam.PolicyDocument {
  const resource = 'execute-api:/*/POST/postbacks';
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'AllowPostbacksFromProvider',
        effect: iam.Effect.ALLOW,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: [resource],
        conditions: { IpAddress: { 'aws:SourceIp': [...cidrs] } },
      }),
      new iam.PolicyStatement({
        sid: 'DenyPostbacksFromOtherSources',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: [resource],
        conditions: { NotIpAddress: { 'aws:SourceIp': [...cidrs] } },
      }),
    ],
  });
}
