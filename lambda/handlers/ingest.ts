import { createIngestHandler, defaultIngestDeps } from '../ingest/ingest-handler-factory';

/** Lambda entry of `POST /postbacks` (API Gateway REST proxy integration). */
export const handler = createIngestHandler(defaultIngestDeps());
