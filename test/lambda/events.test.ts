import type { PostbackEvent } from '../../lambda/events';
import { fixture } from '../helpers/fixtures';

// Compile-time checks of the exported types (tsc runs over test/ in CI), with a runtime use.
function describeEvent(event: PostbackEvent): string {
  switch (event['detail-type']) {
    case 'MMS Delivered': {
      const code: 'N102' = event.detail.code;
      const outcome: 'success' = event.detail.outcome;
      return `${code} ${outcome} ${event.detail.handset ?? ''}`;
    }
    case 'MMS Template Transcoding Failed': {
      const code: 'E002' | 'E003' | 'E004' = event.detail.code;
      return code;
    }
    case 'MMS Postback Unrecognized': {
      const isLatest: false = event.detail.isLatest;
      return `${event.detail.code} ${isLatest}`;
    }
    default:
      return event.detail.outcome;
  }
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
