import { createStatusUnknownSweep, defaultSweepDeps } from '../status-unknown-sweep';

/** Lambda entry of the scheduled status-unknown sweep (EventBridge schedule, every minute). */
export const handler = createStatusUnknownSweep(defaultSweepDeps());
