import { createStatusUnknownSweep, defaultSweepDeps } from '../status-unknown-sweep/status-unknown-sweep-handler-factory';

/** Lambda entry of the scheduled status-unknown sweep (EventBridge schedule, every minute). */
export const handler = createStatusUnknownSweep(defaultSweepDeps());
