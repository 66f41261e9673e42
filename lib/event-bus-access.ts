import { Resource } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * How a function of the receiver names a bus in PutEvents (`EVENT_BUS_NAME`): its name when
 * this app creates the bus, its ARN otherwise (a given bus may be in another account, where
 * only its ARN finds it; PutEvents takes either).
 *
 * @example
 * publisherEnvironment({ eventBusName: busReference(eventBus), eventSource });
 */
export function busReference(bus: events.IEventBus): string {
  return Resource.isOwnedResource(bus) ? bus.eventBusName : bus.eventBusArn;
}

/**
 * The grant of a publishing function: PutEvents on the bus, with the receiver's `Source` only.
 *
 * @example
 * fn.addToRolePolicy(publishEventsStatement('PublishPostbackEvents', eventBus, 'mms.postbacks'));
 */
export function publishEventsStatement(sid: string, bus: events.IEventBus, eventSource: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions: ['events:PutEvents'],
    resources: [bus.eventBusArn],
    conditions: { StringEquals: { 'events:source': eventSource } },
  });
}
