import type { PostbackEvent } from '../../lambda/events';
import { fixture } from '../helpers/fixtures';

// The types themselves are checked at compile time by `npm run typecheck` (events.type-check.ts).
function describeEvent(event: PostbackEvent): string {
  return event['detail-type'] === 'MMS Delivered'
    ? `${event.detail.code} ${event.detail.outcome} ${event.detail.handset ?? ''}`
    : event.detail.outcome;
}

it('discriminates events by detail-type', () => {
  const event = {
    version: '0',
    id: '1',
    'detail-type': 'MMS Delivered',
    source: 'mms.postbacks',
    account: '123456789012',
    time: '2026-04-24T18:31:10Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      postbackId: 'p',
      trackingId: 'abc123xyz',
      code: 'N102',
      timestamp: '2026-04-24T18:31:10Z',
      origin: 'MMS_MT',
      lifecycle: 'send',
      outcome: 'success',
      final: true,
      isLatest: true,
      receivedAt: '2026-04-24T18:31:11Z',
      handset: 'Apple iPhone',
      raw: fixture('n102'),
      format: 'json',
    },
  } satisfies PostbackEvent<'MMS Delivered'>;
  expect(describeEvent(event)).toBe('N102 success Apple iPhone');
});
