import * as events from 'aws-cdk-lib/aws-events';
import { busReference, publishEventsStatement } from '../../lib/event-bus-access';
import { testStack } from './helpers';

describe('busReference', () => {
  test('a bus this app creates is named by its name', () => {
    const stack = testStack();
    const bus = new events.EventBus(stack, 'Bus');
    expect(stack.resolve(busReference(bus))).toEqual(stack.resolve(bus.eventBusName)); // its Ref: the name
  });

  test('a given bus is named by its ARN (it may be in another account)', () => {
    const stack = testStack();
    const arn = 'arn:aws:events:eu-west-1:111111111111:event-bus/shared';
    expect(busReference(events.EventBus.fromEventBusArn(stack, 'Given', arn))).toBe(arn);
  });
});

test('publishEventsStatement: PutEvents on the bus, with the given source only', () => {
  const stack = testStack();
  const arn = 'arn:aws:events:eu-west-1:111111111111:event-bus/shared';
  const statement = publishEventsStatement('Publish', events.EventBus.fromEventBusArn(stack, 'Given', arn), 'mms.postbacks');
  expect(stack.resolve(statement.toStatementJson())).toEqual({
    Sid: 'Publish',
    Effect: 'Allow',
    Action: 'events:PutEvents',
    Resource: arn,
    Condition: { StringEquals: { 'events:source': 'mms.postbacks' } },
  });
});
