import { createQueryHandler, defaultQueryDeps } from '../query-handler';

/** Lambda entry of `GET /messages/{trackingId}` and `GET /messages?clientReference=` (IAM-authorized). */
export const handler = createQueryHandler(defaultQueryDeps());
