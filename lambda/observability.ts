/**
 * Names shared by the function code (which emits the metrics in EMF) and the CDK
 * construct (which builds alarms and the dashboard on them). Every metric carries the
 * `service` dimension (Powertools' default dimension, from `POWERTOOLS_SERVICE_NAME`).
 */
export const METRICS_NAMESPACE = 'MmsPostbacks';
export const SERVICE_NAME = 'mms-postbacks';

export const METRIC = {
  /** A new postback stored and published; emitted under {service} and under {service, code}. */
  accepted: 'PostbackAccepted',
  /** A postback that had already been accepted. */
  duplicate: 'PostbackDuplicate',
  /** An authenticated postback refused with 400, 413 or 415; emitted under {service} and under {service, reason}. */
  rejected: 'PostbackRejected',
  /** A request refused with 401. */
  unauthorized: 'PostbackUnauthorized',
  /** PutEvents failed, wholly or partly. */
  publishFailed: 'PublishFailed',
  /** A DynamoDB request failed. */
  storeFailed: 'StoreFailed',
  /** A copy arrived while the same postback was still being processed (answered 503). */
  inProgress: 'PostbackInProgress',
} as const;
