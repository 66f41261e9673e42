/**
 * The publisher's event source mapping filter passes only inserts of history entries. The
 * filter is evaluated here by a small matcher of Lambda's filter rules for the parts the
 * pattern uses (a list of values, `prefix`), over the records the table's stream carries
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb-filtering.html).
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { PUBLISHER_STREAM_FILTER } from '../../../lambda/publisher/stream-filter';

type Pattern = { readonly [key: string]: Pattern | readonly unknown[] };

/** Lambda's rule for these patterns: every key of the pattern matches; a list matches when one of its values (or a `prefix`) does. */
function matches(pattern: Pattern, value: unknown): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = (value as Record<string, unknown> | undefined)?.[key];
    if (!Array.isArray(expected)) return typeof actual === 'object' && actual !== null && matches(expected as Pattern, actual);
    return expected.some((option) =>
      typeof option === 'object' && option !== null && 'prefix' in option
        ? typeof actual === 'string' && actual.startsWith(String((option as { prefix: string }).prefix))
        : option === actual,
    );
  });
}

const keys = (pk: string, sk: string) => ({ pk: { S: pk }, sk: { S: sk } });
const record = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', pk: string, sk: string): DynamoDBRecord => ({
  eventName,
  dynamodb: { Keys: keys(pk, sk), NewImage: eventName === 'REMOVE' ? undefined : keys(pk, sk), StreamViewType: 'NEW_IMAGE' },
});
// The pattern as the mapping gets it: JSON text (the CloudFormation `Pattern`).
const pattern = JSON.parse(JSON.stringify(PUBLISHER_STREAM_FILTER)) as Pattern;

describe('the publisher stream filter', () => {
  it('is the pattern the construct and the local run use, pinned (a change replaces the mapping filter)', () => {
    expect(JSON.stringify(PUBLISHER_STREAM_FILTER)).toBe('{"eventName":["INSERT"],"dynamodb":{"Keys":{"sk":{"S":[{"prefix":"H#"}]}}}}');
  });

  it('passes the insert of a history entry', () => {
    expect(matches(pattern, record('INSERT', 'MSG#abc', 'H#20260424183000000#p1'))).toBe(true);
  });

  it.each([
    ['a new latest state', record('INSERT', 'MSG#abc', 'STATE')],
    ['a state update', record('MODIFY', 'MSG#abc', 'STATE')],
    ['a TTL removal of a history entry', record('REMOVE', 'MSG#abc', 'H#20260424183000000#p1')],
    ['a TTL removal of a state', record('REMOVE', 'MSG#abc', 'STATE')],
    ['a rejected record', record('INSERT', 'REJECTED#2026-04-24#07', '2026-04-24T18:30:00.000Z#req-1')],
    ['a rejected record marked with its replay', record('MODIFY', 'REJECTED#2026-04-24#07', '2026-04-24T18:30:00.000Z#req-1')],
    ['a change to a history entry', record('MODIFY', 'MSG#abc', 'H#20260424183000000#p1')],
  ])('keeps out %s', (_what, streamRecord) => {
    expect(matches(pattern, streamRecord)).toBe(false);
  });
});
