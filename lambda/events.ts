/**
 * Public, typed view of the events this service publishes, for consumers.
 *
 * @example
 * import type { PostbackEvent } from 'mms-postback-receiver/events';
 * export const handler = async (event: PostbackEvent<'MMS Delivered' | 'MMS Rejected'>) => {
 *   if (event['detail-type'] === 'MMS Delivered') console.log(event.detail.handset); // detail.code is 'N102'
 * };
 */
import type { EventBridgeEvent } from 'aws-lambda';
import type { DetailType } from './domain/catalog';
import type { PostbackDetailByType } from './domain/event-detail';

export { CATALOG, DETAIL_TYPES, type DetailType, UNRECOGNIZED_DETAIL_TYPE } from './domain/catalog';
export type { PostbackDetail, PostbackDetailBase, PostbackDetailByType, UnrecognizedPostbackDetail } from './domain/event-detail';
export { EVENT_DETAIL_SCHEMAS } from './domain/event-schemas';

/** An EventBridge event of this service, discriminated by `detail-type`. */
export type PostbackEvent<T extends DetailType = DetailType> = {
  [K in T]: EventBridgeEvent<K, PostbackDetailByType[K]>;
}[T];
