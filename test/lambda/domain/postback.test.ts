import { CATALOG, DETAIL_TYPES, UNRECOGNIZED_DETAIL_TYPE } from '../../../lambda/domain/catalog';
import { derivedMoTrackingId, postbackIdOf } from '../../../lambda/domain/identity';
import { interpretPostback } from '../../../lambda/domain/postback';
import { type ValidPostback, validatePostback } from '../../../lambda/domain/validate';
import { parseXmlPostback } from '../../../lambda/http/xml-postback';
import { toXmlPostback } from '../../../local/xml-form';
import { detailValidators } from '../../helpers/detail-validators';
import { fixture } from '../../helpers/fixtures';

const RECEIVED = new Date('2026-04-24T18:35:00.000Z');

function valid(body: Record<string, unknown>): ValidPostback {
  const result = validatePostback(body);
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  return result.postback;
}

function bodyFor(code: string): Record<string, unknown> {
  return code === 'N401' ? fixture('n401') : { ...fixture('n102'), code };
}

describe('interpretPostback', () => {
  it.each(CATALOG.map((e) => [e.code, e]))('maps %s to its catalog facts and a schema-valid Detail', (code, entry) => {
    const record = interpretPostback(valid(bodyFor(code)), RECEIVED);
    expect(record).toMatchObject({
      code,
      catalogEntry: entry,
      detailType: entry.detailType,
      lifecycle: entry.lifecycle,
      outcome: entry.outcome,
      final: entry.final,
      receivedAt: RECEIVED.toISOString(),
    });
    const detail = { ...record.detail, isLatest: true };
    const validateDetail = detailValidators[entry.detailType]!;
    expect(validateDetail(detail) ? [] : validateDetail.errors).toEqual([]);
    // A Detail of one type does not pass another type's schema (code, lifecycle or outcome differ).
    const others = DETAIL_TYPES.filter((t) => t !== entry.detailType);
    expect(others.filter((t) => detailValidators[t]!(detail))).toEqual([]);
  });

  it('maps every documented field of the N102 example into camelCase Detail fields and keeps raw', () => {
    const body = { ...fixture('n102'), 'x-extra': 1 };
    const record = interpretPostback(valid(body), RECEIVED);
    expect(record.detail).toEqual({
      postbackId: record.postbackId,
      trackingId: 'abc123xyz',
      code: 'N102',
      origin: 'MMS_MT',
      sentAs: 'MMS',
      status: 'Delivered',
      statusDetails: 'Message Delivered',
      to: '17745550001',
      from: '18885551234',
      timestamp: '2026-04-24T18:31:10Z',
      clientReference: 'send-001',
      handset: 'Apple iPhone',
      lifecycle: 'send',
      outcome: 'success',
      final: true,
      receivedAt: RECEIVED.toISOString(),
      raw: body,
      format: 'json',
    });
  });

  it('maps the MO fields, lists of numbers and files', () => {
    const body = { ...fixture('n401'), 'copy-to': [{ number: '17745550002' }] };
    const { detail } = interpretPostback(valid(body), RECEIVED);
    expect(detail).toMatchObject({
      keyword: 'INFO',
      operatorId: '310012',
      messageSubject: 'Question',
      copyTo: ['17745550002'],
      contentFiles: ['https://example.com/mo/file1.jpg'],
    });
  });

  it.each(CATALOG.map((e) => e.code))('gives %s the same record from the instant validatePostback parsed as without it', (code) => {
    const result = validatePostback(bodyFor(code));
    if (!result.ok) throw new Error(JSON.stringify(result.details));
    expect(interpretPostback(result.postback, RECEIVED, 'json', result.instant)).toEqual(interpretPostback(result.postback, RECEIVED));
  });

  it('derives a stable tracking-id for an MO postback without one', () => {
    const { 'tracking-id': _t, ...body } = fixture('n401');
    const a = interpretPostback(valid(body), RECEIVED);
    const b = interpretPostback(valid({ ...body, timestamp: '2026-04-24T14:34:00-04:00' }), new Date());
    expect(a.trackingId).toMatch(/^mo-[0-9a-f]{24}$/);
    expect(b.trackingId).toBe(a.trackingId);
    expect(b.postbackId).toBe(a.postbackId);
    expect(a.trackingId).not.toBe(derivedMoTrackingId({ from: '1', to: '2', instantKey: 'x', content: {} }));
  });

  describe('MO tracking-ids tell apart different messages from one phone in the same second', () => {
    const { 'tracking-id': _t, ...base } = fixture('n401');
    const idOf = (body: Record<string, unknown>) => interpretPostback(valid(body), RECEIVED).trackingId;
    const id = idOf(base);

    it.each([
      ['keyword', { keyword: 'STOP' }],
      ['no keyword', { keyword: undefined }],
      ['an empty keyword', { keyword: '' }],
      ['message-subject', { 'message-subject': 'Other' }],
      ['content', { content: [{ file: 'https://example.com/mo/file2.jpg' }] }],
      ['more content', { content: [{ file: 'https://example.com/mo/file1.jpg' }, { file: 'https://example.com/mo/file2.jpg' }] }],
      ['no content', { content: undefined }],
      ['empty content', { content: [] }],
      ['copy-to', { 'copy-to': [{ number: '17745550002' }] }],
      ['from', { from: '17745550009' }],
      ['to', { to: '18885559999' }],
      ['timestamp', { timestamp: '2026-04-24T18:34:01Z' }],
    ])('a different %s gives another message', (_field, change) => {
      const body = JSON.parse(JSON.stringify({ ...base, ...change }));
      expect(idOf(body)).not.toBe(id);
    });

    it.each([
      ['the same timestamp in another zone', { timestamp: '2026-04-24T20:34:00.000+02:00' }],
      ['fields that are not content (operator-id)', { 'operator-id': '999999' }],
      ['the same fields in another order', Object.fromEntries(Object.entries(base).reverse())],
    ])('%s is the same message (a retry is recognised)', (_what, change) => {
      expect(idOf({ ...base, ...change })).toBe(id);
    });
  });

  it('treats an unknown well-formed code as unrecognized', () => {
    const record = interpretPostback(valid({ ...fixture('n101'), code: 'N555' }), RECEIVED);
    expect(record).toMatchObject({
      catalogEntry: undefined,
      detailType: UNRECOGNIZED_DETAIL_TYPE,
      lifecycle: 'unknown',
      outcome: 'unknown',
      final: false,
    });
    const validateDetail = detailValidators[UNRECOGNIZED_DETAIL_TYPE]!;
    expect(validateDetail({ ...record.detail, isLatest: false })).toBe(true);
  });

  it('flags a status text that disagrees with the code', () => {
    expect(interpretPostback(valid({ ...fixture('n102'), status: 'Sent' }), RECEIVED).statusMismatch).toBe(true);
    expect(interpretPostback(valid(fixture('n102')), RECEIVED).statusMismatch).toBe(false);
    expect(interpretPostback(valid({ ...fixture('e102'), status: 'Unrecognised' }), RECEIVED).statusMismatch).toBe(false);
  });
});

describe('postbackId', () => {
  const base = { trackingId: 't', code: 'N101', instantKey: '2026-04-24T18:30:00.000000000Z', to: '17745550001' };
  const idOfBody = (body: Record<string, unknown>, format: 'json' | 'xml' = 'json') =>
    interpretPostback(valid(body), RECEIVED, format).postbackId;

  // The ids are stored (history keys) and published: a change of scheme would make every
  // postback in flight during a deployment a new postback, published twice. These pin it.
  it.each([
    ['the id inputs', () => postbackIdOf(base), 'abef1225350db1ae4b38340b6e1aa36a'],
    ['the id inputs without to', () => postbackIdOf({ ...base, to: undefined }), '2912303aa04a158f372062fd1f8c2572'],
    ['the N101 example', () => idOfBody(fixture('n101')), 'cf6ef02c2b9824a150da6e51f9d3c667'],
    ['the N102 example', () => idOfBody(fixture('n102')), '7032cf5112c3fb8a5f25f05c2fa990c5'],
    ['the N401 example', () => idOfBody(fixture('n401')), '7b46814763f9571660dbfab8d23e48ab'],
  ])('is pinned: %s give the same id as ever', (_what, id, expected) => {
    expect(id()).toBe(expected);
  });

  it('pins the tracking-id derived for an MO postback without one, and its postbackId', () => {
    const { 'tracking-id': _t, ...body } = fixture('n401');
    const record = interpretPostback(valid(body), RECEIVED);
    expect(record.trackingId).toBe('mo-018bd3aa5d9f782e0afe2bf0');
    expect(record.postbackId).toBe('005b962c0bd217c69993ce1b995cf036');
  });

  it.each([
    ['another offset', { timestamp: '2026-04-24T13:30:00-05:00' }],
    ['fraction digits', { timestamp: '2026-04-24T18:30:00.000Z' }],
    ['other fields that are not id inputs', { 'status-details': 'other', 'client-reference': 'x' }],
  ])('is the same for the same postback written with %s', (_form, change) => {
    expect(idOfBody({ ...fixture('n101'), ...change })).toBe(idOfBody(fixture('n101')));
  });

  it('is the same for the XML form and the JSON form of a postback', () => {
    for (const name of ['n101', 'n102', 'n401'] as const) {
      const json = fixture(name);
      expect(idOfBody(parseXmlPostback(toXmlPostback(json)), 'xml')).toBe(idOfBody(json));
    }
  });

  it.each([
    ['trackingId', 'u'],
    ['code', 'N102'],
    ['instantKey', '2026-04-24T18:30:00.000000001Z'],
    ['to', '17745550002'],
  ])('differs when %s differs', (field, value) => {
    expect(postbackIdOf({ ...base, [field]: value })).not.toBe(postbackIdOf(base));
  });

  it('keeps field boundaries: moving characters from one input to the next gives another id', () => {
    expect(postbackIdOf({ ...base, trackingId: 'tN', code: '101' })).not.toBe(postbackIdOf(base));
    expect(postbackIdOf({ ...base, code: 'N1012026', instantKey: '-04-24T18:30:00.000000000Z' })).not.toBe(postbackIdOf(base));
  });

  it('gives distinct ids to distinct postbacks of every code of the catalog and many messages', () => {
    const ids = new Set<string>();
    for (const { code } of CATALOG) {
      for (let message = 0; message < 50; message++) ids.add(postbackIdOf({ ...base, trackingId: `m${message}`, code }));
    }
    expect(ids.size).toBe(CATALOG.length * 50);
    expect([...ids].every((id) => /^[0-9a-f]{32}$/.test(id))).toBe(true);
  });
});
