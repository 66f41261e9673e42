/**
 * The list prices the cost report applies: US East (N. Virginia), on-demand, no free tier,
 * no Savings Plans, first pricing tier. Change them here (one file) when AWS changes them or
 * for another region; `docs/cost.md` explains the model.
 */
export const PRICES = {
  /** When these figures were last checked against the sources below. */
  checked: '2026-11-30',
  region: 'us-east-1',
  /** API Gateway REST API requests, first 333 million a month. https://aws.amazon.com/api-gateway/pricing/ */
  apiGatewayRestPerMillion: 3.5,
  /** API Gateway HTTP API requests (each 512 KB counted as one), first 300 million a month. https://aws.amazon.com/api-gateway/pricing/ */
  apiGatewayHttpPerMillion: 1.0,
  /** Lambda requests. https://aws.amazon.com/lambda/pricing/ */
  lambdaRequestsPerMillion: 0.2,
  /** Lambda duration on Arm (Graviton), first 7.5 billion GB-seconds a month. https://aws.amazon.com/lambda/pricing/ */
  lambdaArmPerGbSecond: 0.0000133334,
  /** EventBridge custom events put on a bus, per million 64 KB chunks. https://aws.amazon.com/eventbridge/pricing/ */
  eventBridgeCustomEventsPerMillion: 1.0,
  /** DynamoDB on-demand write request units (Standard table class). https://aws.amazon.com/dynamodb/pricing/on-demand/ */
  dynamoDbWriteRequestUnitsPerMillion: 0.625,
  /** DynamoDB on-demand read request units (Standard table class). https://aws.amazon.com/dynamodb/pricing/on-demand/ */
  dynamoDbReadRequestUnitsPerMillion: 0.125,
  /** CloudWatch Logs ingestion, Standard log class, per GB (2^30 bytes). https://aws.amazon.com/cloudwatch/pricing/ */
  cloudWatchLogsIngestionPerGb: 0.5,
  /** CloudWatch alarm, standard resolution, per alarm metric a month. https://aws.amazon.com/cloudwatch/pricing/ */
  cloudWatchAlarmPerMonth: 0.1,
} as const;

export type Prices = typeof PRICES;
