/**
 * The ingest function's Lambda logging configuration: JSON lines and a system log level of
 * WARN, which keeps the platform's START/END/REPORT lines (INFO) out of the log group
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html).
 * The cost report and the log-budget test count platform lines from the same constant.
 */
import { INGEST_LOGGING, MmsPostbackReceiver } from '../../lib/mms-postback-receiver';
import { templateOf, testStack } from './helpers';

describe('ingest function logging', () => {
  const stack = testStack();
  const receiver = new MmsPostbackReceiver(stack, 'Postbacks');
  const functions = templateOf(stack).findResources('AWS::Lambda::Function');
  const logicalId = (fn: unknown) => stack.getLogicalId((fn as { node: { defaultChild: never } }).node.defaultChild);

  it('keeps the platform lines out of the ingest function log (JSON format, system level WARN)', () => {
    expect(functions[logicalId(receiver.ingestFunction)]?.Properties.LoggingConfig).toMatchObject({
      LogFormat: 'JSON',
      SystemLogLevel: 'WARN',
    });
  });

  it('is what the cost model reads', () => {
    expect(INGEST_LOGGING).toEqual({ loggingFormat: 'JSON', systemLogLevelV2: 'WARN' });
  });
});
