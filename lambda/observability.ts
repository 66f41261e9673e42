import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * Names shared by the function code (which emits the metrics in EMF) and the CDK
 * construct (which builds alarms and the dashboard on them). Every metric carries the
 * `service` dimension (Powertools' default dimension, from `POWERTOOLS_SERVICE_NAME`),
 * and is emitted under the dimension set `{service}` that the alarms and the dashboard read.
 */
export { METRICS_NAMESPACE, SERVICE_NAME } from './config-contract';

export const METRIC = {
  /** A new postback stored (its event follows from the stream); emitted under {service} and under {service, code}. */
  accepted: 'PostbackAccepted',
  /** A postback that had already been accepted. */
  duplicate: 'PostbackDuplicate',
  /** An authenticated postback refused with 400, 413 or 415; emitted under {service} and under {service, reason}. */
  rejected: 'PostbackRejected',
  /** A request refused with 401. */
  unauthorized: 'PostbackUnauthorized',
  /** A DynamoDB request failed. */
  storeFailed: 'StoreFailed',
  /** A concurrent write of the same message cancelled the transaction (answered 503, the sender retries). */
  conflict: 'PostbackConflict',
  /** Publisher: events published from the stream. */
  eventsPublished: 'EventsPublished',
  /**
   * Publisher: events it already published that will be sent again, because it reports an
   * earlier record of the batch as failed and Lambda re-delivers the batch from that record on.
   */
  eventsResent: 'EventsResent',
  /** Publisher: PutEvents entries (or whole requests) that failed and were retried inside the invocation. */
  publishRetried: 'PublishRetried',
  /** Publisher: a history entry that cannot be turned back into its event (reported failed; it ends at the on-failure destination). */
  eventUnbuildable: 'EventUnbuildable',
  /** A message declared `MMS Status Unknown` by the sweep (no final postback in time). */
  statusUnknown: 'MessageStatusUnknown',
} as const;

/** The dimensions that break a count down, besides `service`. */
export const DIMENSION = {
  /** The provider code of an accepted postback (e.g. `N102`). */
  code: 'code',
  /** Why a postback was refused (the error code of the answer, e.g. `validation_failed`). */
  reason: 'reason',
} as const;

/**
 * Counts one event under `{service}` and, in the same EMF line, under `{service, <dimension>}`.
 *
 * Powertools (2.x) emits only the dimension sets added with `addDimensions` once there is
 * one, each joined with the default dimensions: after `addDimensions({ code })` alone the
 * line has `[[service, code]]` and no `[service]`, and an alarm on `{service}` never sees
 * the metric. The empty set added first stands for `[service]`. Every metric of the same
 * invocation shares these sets (an EMF line has one list of dimension sets).
 *
 * @example
 * countWithBreakdown(metrics, METRIC.accepted, DIMENSION.code, 'N102');
 * // "Dimensions": [["service"], ["service", "code"]]
 */
export function countWithBreakdown(metrics: Metrics, metricName: string, dimension: string, value: string): void {
  metrics.addDimensions({});
  metrics.addDimensions({ [dimension]: value });
  metrics.addMetric(metricName, MetricUnit.Count, 1);
}
