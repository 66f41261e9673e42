import { CATALOG } from '../../../lambda/domain/catalog';
import { toInstant } from '../../../lambda/domain/timestamp';
import { validatePostback } from '../../../lambda/domain/validate';
import e102 from '../../fixtures/e102.json';
import n003 from '../../fixtures/n003.json';
import n101 from '../../fixtures/n101.json';
import n102 from '../../fixtures/n102.json';
import n401 from '../../fixtures/n401.json';

function validFor(code: string): Record<string, unknown> {
  if (code === 'N401') return { ...n401 };
  return { ...n101, code };
}

function detailsOf(body: unknown) {
  const result = validatePostback(body);
  if (result.ok) throw new Error('expected validation to fail');
  return result.details;
}

describe('validatePostback', () => {
  it.each(CATALOG.map((e) => e.code))('accepts a well-formed %s', (code) => {
    const body = validFor(code);
    expect(validatePostback(body)).toEqual({ ok: true, postback: body, instant: toInstant(String(body.timestamp)) });
  });

  it.each([
    ['n101', n101],
    ['n102', n102],
    ['e102', e102],
    ['n003', n003],
    ['n401', n401],
  ])('accepts the provider example %s', (_name, body) => {
    expect(validatePostback(body).ok).toBe(true);
  });

  it('accepts N401 without tracking-id and with every documented MO field', () => {
    const { 'tracking-id': _t, ...body } = n401;
    const full = { ...body, 'copy-to': [{ number: '17745550002' }, { number: '+447700900123' }], to: '12345' };
    expect(validatePostback(full).ok).toBe(true);
  });

  it.each(CATALOG.filter((e) => e.lifecycle !== 'inbound').map((e) => e.code))('requires tracking-id and status on MT code %s', (code) => {
    const { 'tracking-id': _t, status: _s, ...body } = validFor(code);
    expect(detailsOf(body)).toEqual(
      expect.arrayContaining([
        { path: '/tracking-id', message: 'is required' },
        { path: '/status', message: 'is required' },
      ]),
    );
  });

  it.each(CATALOG.map((e) => e.code))('requires the right origin for %s', (code) => {
    const body = { ...validFor(code), origin: code === 'N401' ? 'MMS_MT' : 'MMS_MO' };
    expect(detailsOf(body)).toEqual([{ path: '/origin', message: expect.stringContaining('must be "MMS_') }]);
  });

  it.each(CATALOG.map((e) => e.code))('accepts %s with a timestamp of more than nine fraction digits', (code) => {
    for (const timestamp of ['2026-04-24T18:30:00.1234567891Z', '2026-04-24T13:30:00.000000000000000000001-05:00']) {
      expect(validatePostback({ ...validFor(code), timestamp }).ok).toBe(true);
    }
  });

  it('accepts a well-formed unknown code, and keeps extra fields', () => {
    const body = { ...n101, code: 'N555', 'x-extra': { nested: true } };
    expect(validatePostback(body)).toEqual({ ok: true, postback: body, instant: toInstant(n101.timestamp) });
  });

  it('still needs a tracking-id for an unknown MT code', () => {
    const { 'tracking-id': _t, ...body } = { ...n101, code: 'E777' };
    expect(detailsOf(body)).toEqual([{ path: '/tracking-id', message: 'is required' }]);
  });

  it.each(['N10', 'X101', 'n101', 'N1011', '', 'N 101'])('refuses the malformed code %j', (code) => {
    expect(detailsOf({ ...n101, code })).toEqual([{ path: '/code', message: expect.stringContaining('N or E followed by 3 digits') }]);
  });

  it('requires origin, code and timestamp', () => {
    expect(detailsOf({})).toEqual([
      { path: '/origin', message: 'is required' },
      { path: '/code', message: 'is required' },
      { path: '/timestamp', message: 'is required' },
    ]);
  });

  it.each([
    ['2014-02-03T11:19:49-05:00', '2014-02-03T16:19:49.000000000Z'],
    ['2014-02-03T16:19:49Z', '2014-02-03T16:19:49.000000000Z'],
    ['2026-04-24T18:30:00.1234567891Z', '2026-04-24T18:30:00.123456789Z1'],
  ])('gives the timestamp %s as the instant %s, parsed once for interpretPostback', (timestamp, key) => {
    const result = validatePostback({ ...n101, timestamp });
    expect(result.ok && result.instant.key).toBe(key);
  });

  it('accepts timestamps with an offset and refuses those without a zone or impossible ones', () => {
    expect(validatePostback({ ...n101, timestamp: '2014-02-03T11:19:49-05:00' }).ok).toBe(true);
    expect(detailsOf({ ...n101, timestamp: '2014-02-03T11:19:49' })).toEqual([
      { path: '/timestamp', message: expect.stringContaining('time zone') },
    ]);
    expect(detailsOf({ ...n101, timestamp: '2026-02-30T10:00:00Z' })).toEqual([
      { path: '/timestamp', message: 'is not a valid date and time' },
    ]);
  });

  it.each([
    [{ to: 17745550001 }, '/to', 'must be a string'],
    [{ to: '12' }, '/to', 'must be an optional + and 3 to 15 digits'],
    [{ from: '+1 774 555' }, '/from', 'must be an optional + and 3 to 15 digits'],
    [{ 'sent-as': 'MMX' }, '/sent-as', 'must be one of "MMS", "SMS"'],
    [{ 'tracking-id': '' }, '/tracking-id', 'must not be empty'],
    [{ 'tracking-id': 'x'.repeat(129) }, '/tracking-id', 'must be at most 128 characters'],
    [{ handset: 'x'.repeat(1025) }, '/handset', 'must be at most 1024 characters'],
    [{ status: 42 }, '/status', 'must be a string'],
    [{ 'copy-to': [{ number: 'abc' }] }, '/copy-to/0/number', 'must be an optional + and 3 to 15 digits'],
    [{ content: [{}] }, '/content/0/file', 'is required'],
    [{ content: 'x' }, '/content', 'must be an array'],
  ])('refuses %j at %s', (override, path, message) => {
    expect(detailsOf({ ...n101, ...override })).toContainEqual({ path, message });
  });

  it('refuses non-objects', () => {
    expect(detailsOf([])).toEqual([{ path: '', message: 'must be an object' }]);
  });
});
