import { Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Properties of {@link PostbackHttpApi}. */
export interface PostbackHttpApiProps {
  /** The function behind `POST /postbacks`. */
  readonly ingestFunction: lambda.IFunction;
  /** The function behind `GET /messages` and `GET /messages/{trackingId}`. */
  readonly queryFunction: lambda.IFunction;
  /** Where the stage writes its JSON access log. */
  readonly accessLogGroup: logs.ILogGroup;
  /** The stage name (part of every URL). */
  readonly stageName: string;
  /** Stage throttling: steady-state requests per second. */
  readonly throttlingRateLimit: number;
  /** Stage throttling: burst of requests. */
  readonly throttlingBurstLimit: number;
  /**
   * Name of the API.
   *
   * @default - `<stack name>-<id of the scope>`
   */
  readonly apiName?: string;
}

/**
 * The fields of the HTTP API's JSON access log, one line per request. As for the REST API
 * (see `access-log-format.ts`), no variable can carry a secret: the route key (template)
 * instead of the path, no query string, no header, no body.
 * Variables: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
 */
export const HTTP_ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  apiId: '$context.apiId',
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  requestTimeEpoch: '$context.requestTimeEpoch',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  stage: '$context.stage',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  errorType: '$context.error.responseType',
  errorMessage: '$context.error.message',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  userArn: '$context.identity.userArn',
};

/**
 * The receiver's API as an API Gateway HTTP API (about a third of the REST API's request
 * price): `POST /postbacks` open to the provider (the ingest function authenticates it),
 * `GET /messages` and `GET /messages/{trackingId}` IAM-authorized; one named stage with
 * throttling and a JSON access log. The functions get payload format 1.0 (the REST API's
 * proxy event), so they run unchanged behind either API.
 *
 * What only the REST API does at the gateway (a resource policy, gateway responses,
 * X-Ray on the stage) is not available here; see docs/deploy.md "REST or HTTP API".
 *
 * @example
 * const api = new PostbackHttpApi(this, 'Api', {
 *   ingestFunction, queryFunction, accessLogGroup, stageName: 'prod', throttlingRateLimit: 2000, throttlingBurstLimit: 5000,
 * });
 * new CfnOutput(this, 'PostbackUrl', { value: api.urlForPath('/postbacks') });
 */
export class PostbackHttpApi extends Construct {
  /** The HTTP API. */
  public readonly httpApi: apigatewayv2.HttpApi;
  /** Its stage (throttling, access log, metrics). */
  public readonly stage: apigatewayv2.HttpStage;
  /** The routes: `POST /postbacks`, `GET /messages`, `GET /messages/{trackingId}`. */
  public readonly routes: readonly apigatewayv2.HttpRoute[];

  constructor(scope: Construct, id: string, props: PostbackHttpApiProps) {
    super(scope, id);
    this.httpApi = new apigatewayv2.HttpApi(this, 'Resource', {
      apiName: props.apiName ?? `${Stack.of(this).stackName}-${scope.node.id}`,
      description: 'MMS postback receiver: POST /postbacks (provider), GET /messages (IAM)',
      createDefaultStage: false,
    });
    this.stage = new apigatewayv2.HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: props.stageName,
      autoDeploy: true,
      throttle: { rateLimit: props.throttlingRateLimit, burstLimit: props.throttlingBurstLimit },
      accessLogSettings: {
        destination: new apigatewayv2.LogGroupLogDestination(props.accessLogGroup),
        format: apigateway.AccessLogFormat.custom(JSON.stringify(HTTP_ACCESS_LOG_FIELDS)),
      },
    });

    // Payload format 1.0: the API Gateway proxy event (v1) the handlers are written for.
    const v1 = { payloadFormatVersion: apigatewayv2.PayloadFormatVersion.VERSION_1_0 };
    const ingest = new HttpLambdaIntegration('Ingest', props.ingestFunction, v1);
    const query = new HttpLambdaIntegration('Query', props.queryFunction, v1);
    const iam = new HttpIamAuthorizer();
    const [post] = this.httpApi.addRoutes({ path: '/postbacks', methods: [apigatewayv2.HttpMethod.POST], integration: ingest });
    const [list] = this.httpApi.addRoutes({
      path: '/messages',
      methods: [apigatewayv2.HttpMethod.GET],
      integration: query,
      authorizer: iam,
    });
    const [get] = this.httpApi.addRoutes({
      path: '/messages/{trackingId}',
      methods: [apigatewayv2.HttpMethod.GET],
      integration: query,
      authorizer: iam,
    });
    this.routes = [post, list, get] as apigatewayv2.HttpRoute[];

    Validations.of(post as apigatewayv2.HttpRoute).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The provider cannot sign requests or use tokens from an authorizer: the ingest function authenticates every request with the shared secret (Basic auth, X-Postback-Token or ?token=) in constant time, fail closed.',
    });
  }

  /**
   * The URL of a path on the stage.
   *
   * @example
   * api.urlForPath('/postbacks'); // https://<id>.execute-api.<region>.amazonaws.com/prod/postbacks
   */
  public urlForPath(path: string): string {
    return `${this.stage.url}${path.startsWith('/') ? path : `/${path}`}`;
  }
}
