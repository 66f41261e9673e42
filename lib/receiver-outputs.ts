import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { MmsPostbackReceiver } from './mms-postback-receiver';

/** Options of the stack outputs of {@link MmsPostbackReceiver} (its prop `outputs`). */
export interface ReceiverOutputsOptions {
  /**
   * Put before every output name (`<prefix>PostbackUrl`, …): needed for a second receiver
   * with outputs in the same stack, whose names would clash.
   *
   * @default '' (`PostbackUrl`, `QueryUrl`, `EventBusName`, `EventBusArn`, `TableName`, `SecretArn`, `SchemaRegistryName`)
   */
  readonly prefix?: string;
}

/** The names (without prefix) of the outputs that `outputs` adds, in the order they are added. */
export const RECEIVER_OUTPUT_NAMES = [
  'PostbackUrl',
  'QueryUrl',
  'EventBusName',
  'EventBusArn',
  'TableName',
  'SecretArn',
  'SchemaRegistryName',
] as const;

/** The name of one output of {@link RECEIVER_OUTPUT_NAMES}. */
export type ReceiverOutputName = (typeof RECEIVER_OUTPUT_NAMES)[number];

/**
 * Adds the receiver's stack outputs (what an operator reads after `cdk deploy`) to the
 * receiver's stack, at the stack's top level, so that each output's key is its name
 * (`aws cloudformation describe-stacks … OutputKey=='SecretArn'` finds it).
 *
 * @returns the outputs by name (without prefix)
 * @example
 * new MmsPostbackReceiver(this, 'Postbacks', { outputs: true }); // calls addReceiverOutputs(receiver, {})
 * new MmsPostbackReceiver(this, 'Eu', { outputs: { prefix: 'Eu' } }); // EuPostbackUrl, EuSecretArn, …
 */
export function addReceiverOutputs(
  receiver: MmsPostbackReceiver,
  options: ReceiverOutputsOptions = {},
): Record<ReceiverOutputName, CfnOutput> {
  const stack = Stack.of(receiver);
  const prefix = options.prefix ?? '';
  const values: Record<ReceiverOutputName, { value: string; description: string }> = {
    PostbackUrl: {
      value: receiver.postbackUrl,
      description: 'Give this URL to the provider, with the secret as Basic auth password or ?token=',
    },
    QueryUrl: {
      value: receiver.queryUrl,
      description: 'IAM-authorized read API: GET <QueryUrl>/{trackingId} or GET <QueryUrl>?clientReference=…',
    },
    EventBusName: { value: receiver.eventBus.eventBusName, description: 'Event bus of the postback events' },
    EventBusArn: { value: receiver.eventBus.eventBusArn, description: 'ARN of the event bus' },
    TableName: { value: receiver.table.tableName, description: 'DynamoDB table of states, history and rejected postbacks' },
    SecretArn: { value: receiver.secret.secretArn, description: 'Secrets Manager secret holding the shared secret' },
    SchemaRegistryName: {
      value: receiver.schemaRegistry.registry.attrRegistryName,
      description: 'EventBridge schema registry with one schema per detail-type',
    },
  };
  const out = {} as Record<ReceiverOutputName, CfnOutput>;
  for (const name of RECEIVER_OUTPUT_NAMES) out[name] = new CfnOutput(stack, `${prefix}${name}`, values[name]);
  return out;
}
