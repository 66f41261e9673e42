import {
  CATALOG,
  DETAIL_TYPES,
  lookupCode,
  MO_CODES,
  MT_CODES,
  STATUS_UNKNOWN,
  UNRECOGNIZED_DETAIL_TYPE,
} from '../../../lambda/domain/catalog';

// The code catalog table (code, detail-type, lifecycle, outcome, final, rank), written out independently of the code under test.
const EXPECTED: ReadonlyArray<[string, string, string, string, boolean, number]> = [
  ['N013', 'send', 'MMS Send Triggered', 'pending', false, 0],
  ['N101', 'send', 'MMS Sent', 'pending', false, 1],
  ['N102', 'send', 'MMS Delivered', 'success', true, 2],
  ['N202', 'send', 'MMS Delivered As SMS', 'success', true, 2],
  ['N103', 'send', 'MMS Expired', 'failure', true, 2],
  ['E101', 'send', 'MMS Failed', 'failure', true, 2],
  ['E102', 'send', 'MMS Rejected', 'failure', true, 2],
  ['E202', 'send', 'MMS SMS Fallback Failed', 'failure', true, 2],
  ['E999', 'send', 'MMS Queue Error', 'failure', true, 2],
  ['E100', 'send', 'MMS Request Invalid', 'failure', true, 2],
  ['E011', 'send', 'MMS Content Validation Failed', 'failure', true, 2],
  ['E012', 'send', 'MMS Send Transcoding Failed', 'failure', true, 2],
  ['E013', 'send', 'MMS Send Transcoding Failed', 'failure', true, 2],
  ['N003', 'template', 'MMS Template Ready', 'success', true, 2],
  ['E002', 'template', 'MMS Template Transcoding Failed', 'failure', true, 2],
  ['E003', 'template', 'MMS Template Transcoding Failed', 'failure', true, 2],
  ['E004', 'template', 'MMS Template Transcoding Failed', 'failure', true, 2],
  ['N401', 'inbound', 'MMS Received', 'success', true, 2],
];

describe('code catalog', () => {
  it.each(EXPECTED)('%s: %s / %s / %s / final %s / rank %d', (code, lifecycle, detailType, outcome, final, rank) => {
    expect(lookupCode(code)).toMatchObject({ code, lifecycle, detailType, outcome, final, rank });
  });

  it('has exactly the codes of the spec', () => {
    expect(CATALOG.map((e) => e.code).sort()).toEqual(EXPECTED.map((e) => e[0]).sort());
  });

  it('splits MO and MT codes', () => {
    expect(MO_CODES).toEqual(['N401']);
    expect(MT_CODES).toHaveLength(EXPECTED.length - 1);
  });

  it('lists every detail-type once, plus the synthetic status-unknown and the unrecognized one', () => {
    expect(DETAIL_TYPES).toEqual([...new Set(EXPECTED.map((e) => e[2])), STATUS_UNKNOWN.detailType, UNRECOGNIZED_DETAIL_TYPE]);
  });

  it('does not know other codes', () => {
    expect(lookupCode('N999')).toBeUndefined();
  });
});
