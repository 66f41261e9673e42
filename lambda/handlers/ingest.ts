import { createIngestHandler, defaultIngestDeps } from '../ingest-handler';

/** Lambda entry of `POST /postbacks` (API Gateway REST proxy integration). */
export const handler = createIngestHandler(defaultIngestDeps());
