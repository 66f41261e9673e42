import { createQueryHandler, defaultQueryDeps } from '../query/query-handler-factory';

/** Lambda entry of `GET /messages/{trackingId}` and `GET /messages?clientReference=` (IAM-authorized). */
export const handler = createQueryHandler(defaultQueryDeps());
