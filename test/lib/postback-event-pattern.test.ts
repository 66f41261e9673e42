import { CATALOG } from '../../lambda/domain/catalog';
import { describePostbackFilter, OUTCOMES, postbackEventPattern } from '../../lib/postback-event-pattern';
import { ReceiverPropsError } from '../../lib/receiver-props-error';

// Pure: no Stack, no construct.
describe('OUTCOMES', () => {
  test('every outcome of the catalog, and the status-unknown state, once each', () => {
    expect([...OUTCOMES].sort()).toEqual(['failure', 'pending', 'success', 'unknown']);
    for (const entry of CATALOG) expect(OUTCOMES).toContain(entry.outcome);
  });
});

describe('postbackEventPattern', () => {
  test('an empty filter matches every event of the source', () => {
    expect(postbackEventPattern('mms.postbacks', {})).toEqual({ source: ['mms.postbacks'] });
    expect(postbackEventPattern('mms.postbacks', { outcome: ['success', 'pending'] })).toEqual({
      source: ['mms.postbacks'],
      detail: { outcome: ['success', 'pending'] },
    });
  });

  test('detail-types, outcome and codes combine; repeats are dropped', () => {
    expect(
      postbackEventPattern('acme.mms', {
        detailTypes: ['MMS Delivered', 'MMS Delivered'],
        outcome: 'failure',
        codes: ['E101', 'E102', 'E101'],
      }),
    ).toEqual({ source: ['acme.mms'], detailType: ['MMS Delivered'], detail: { outcome: ['failure'], code: ['E101', 'E102'] } });
  });

  test.each([
    ['unknown detail-type', { detailTypes: ['MMS Lost' as never] }, /unknown detail-types "MMS Lost"/],
    ['unknown outcome', { outcome: 'maybe' as never }, /unknown outcome maybe/],
    ['malformed code', { codes: ['X999'] }, /codes must look like/],
    ['empty codes', { codes: [] }, /codes must not be empty/],
    ['empty detail-types', { detailTypes: [] }, /detailTypes must not be empty/],
    ['empty outcomes', { outcome: [] }, /outcome must not be empty/],
  ])('refuses: %s', (_name, filter, message) => {
    expect(() => postbackEventPattern('mms.postbacks', filter)).toThrow(ReceiverPropsError);
    expect(() => postbackEventPattern('mms.postbacks', filter)).toThrow(message);
  });
});

describe('describePostbackFilter', () => {
  test('names each criterion; an empty filter is all events', () => {
    expect(describePostbackFilter({})).toBe('all events');
    expect(describePostbackFilter({ detailTypes: ['MMS Delivered'], outcome: ['failure', 'pending'], codes: ['E101'] })).toBe(
      'detail-type MMS Delivered, outcome failure | pending, code E101',
    );
  });

  test('stays within the 512 characters of a rule description', () => {
    expect(describePostbackFilter({ codes: Array.from({ length: 200 }, () => 'E101') }).length).toBe(480);
  });
});
