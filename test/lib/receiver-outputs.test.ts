import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { MmsPostbackReceiver } from '../../lib/mms-postback-receiver';
import { MmsPostbacksStack } from '../../lib/mms-postbacks-stack';
import { readStackContext } from '../../lib/stack-context';
import { templateOf, testApp, testStack } from './helpers';

const ENV = { account: '123456789012', region: 'eu-west-1' };

/** The output keys, pinned: operators' scripts and the docs read them by name (`OutputKey=='SecretArn'`). */
const OUTPUT_KEYS = ['EventBusArn', 'EventBusName', 'PostbackUrl', 'QueryUrl', 'SchemaRegistryName', 'SecretArn', 'TableName'];

describe('the receiver prop outputs', () => {
  test('off by default: a consumer stack decides its outputs', () => {
    const stack = testStack();
    new MmsPostbackReceiver(stack, 'Postbacks');
    expect(Object.keys(templateOf(stack).findOutputs('*'))).toEqual([]);
  });

  test('outputs: true adds the seven outputs at the top level of the stack, keyed by their names', () => {
    const stack = testStack();
    new MmsPostbackReceiver(stack, 'Postbacks', { outputs: true });
    const template = templateOf(stack);
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(OUTPUT_KEYS);
    template.hasOutput('SecretArn', { Value: { Ref: Match.stringLikeRegexp('^PostbacksSecret') } });
    template.hasOutput('TableName', { Value: { Ref: Match.stringLikeRegexp('^PostbacksTable') } });
    expect(JSON.stringify(template.findOutputs('PostbackUrl'))).toMatch(/\/postbacks"\]\]\}/);
  });

  test('a prefix names a second receiver’s outputs apart', () => {
    const stack = testStack();
    new MmsPostbackReceiver(stack, 'Us', { outputs: true });
    new MmsPostbackReceiver(stack, 'Eu', { outputs: { prefix: 'Eu' } });
    const keys = Object.keys(templateOf(stack).findOutputs('*'));
    expect(keys.sort()).toEqual([...OUTPUT_KEYS, ...OUTPUT_KEYS.map((key) => `Eu${key}`)].sort());
  });

  test('the example stack gets its outputs the same way', () => {
    const app = testApp();
    const stack = new MmsPostbacksStack(app, 'S', { env: ENV, config: readStackContext(app.node) });
    expect(Object.keys(templateOf(stack).findOutputs('*')).sort()).toEqual(OUTPUT_KEYS);
  });
});

describe('the API Gateway CloudWatch role hint names the knob of where it is printed', () => {
  const info = (stack: import('aws-cdk-lib').Stack) =>
    Annotations.fromStack(stack)
      .findInfo('*', Match.stringLikeRegexp('API Gateway account CloudWatch Logs role'))
      .map((message) => String(message.entry.data));

  test('in a consumer stack: the construct prop', () => {
    const stack = testStack();
    new MmsPostbackReceiver(stack, 'Postbacks');
    const [message, ...more] = info(stack);
    expect(more).toEqual([]);
    expect(message).toContain('deploy with the prop apiGatewayCloudWatchRole: true.');
    expect(message).not.toContain('-c ');
  });

  test('in the example app: the context key', () => {
    const app = testApp();
    const stack = new MmsPostbacksStack(app, 'S', { env: ENV, config: readStackContext(app.node) });
    expect(info(stack)).toEqual([expect.stringContaining('deploy with -c apiGatewayCloudWatchRole=true.')]);
  });

  test('a settingHint of the app’s own words', () => {
    const stack = testStack();
    new MmsPostbackReceiver(stack, 'Postbacks', { settingHint: (prop, value) => `${prop}=${value} in config.yaml` });
    expect(info(stack)).toEqual([expect.stringContaining('deploy with apiGatewayCloudWatchRole=true in config.yaml.')]);
  });

  test('no hint once the role is asked for', () => {
    const stack = testStack();
    new MmsPostbackReceiver(stack, 'Postbacks', { apiGatewayCloudWatchRole: true });
    expect(info(stack)).toEqual([]);
  });
});
