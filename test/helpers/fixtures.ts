/**
 * The provider's example postbacks for the tests, from the one loader (`local/examples.ts`,
 * which `npm run postback` uses too).
 *
 * @example
 * const body = { ...fixture('n102'), 'tracking-id': 'my-id' };
 */
export { EXAMPLE_NAMES, type ExampleName, loadExample as fixture } from '../../local/examples';

import type { PostbackFormat } from '../../lambda/domain/event-detail';
import { interpretPostback, type PostbackRecord } from '../../lambda/domain/postback';
import { validatePostback } from '../../lambda/domain/validate';

/**
 * A postback body validated and interpreted as the ingest function does, received at
 * `receivedAt`; a body that does not validate throws, naming why.
 *
 * @example
 * const record = interpreted({ ...fixture('n102'), 'tracking-id': 'my-id' }, new Date());
 */
export function interpreted(body: unknown, receivedAt: Date, format: PostbackFormat = 'json'): PostbackRecord {
  const valid = validatePostback(body);
  if (!valid.ok) throw new Error(`invalid test postback: ${JSON.stringify(valid.details)}`);
  return interpretPostback(valid.postback, receivedAt, format, valid.instant);
}
