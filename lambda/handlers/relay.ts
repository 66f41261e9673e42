import { createRelayHandler, defaultRelayDeps } from '../relay/relay-handler-factory';

/** Lambda entry of the relay, invoked on a schedule: publishes history entries left unpublished after their lease. */
export const handler = createRelayHandler(defaultRelayDeps());
