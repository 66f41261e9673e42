/**
 * XML postbacks through the real ingest handler, against DynamoDB Local and a loopback
 * EventBridge: every provider example in both forms, and hostile XML refused and kept.
 */
import { randomUUID } from 'node:crypto';
import { ATTRIBUTE } from '../../../lambda/table/attributes';
import { toXmlPostback } from '../../../local/xml-form';
import { errorBody } from '../../helpers/error-bodies';
import { EXAMPLE_NAMES, fixture } from '../../helpers/fixtures';
import { type IngestHarness, startIngestHarness, TEST_SECRET } from '../../helpers/ingest-harness';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngestHarness();
});
afterAll(() => h.close());
beforeEach(async () => {
  await h.publishFromStream();
  h.bus.reset();
});

const FORMS = {
  json: { contentType: 'application/json', encode: (body: Record<string, unknown>) => JSON.stringify(body) },
  xml: { contentType: 'application/xml', encode: toXmlPostback },
} as const;
type Form = keyof typeof FORMS;

const send = (body: Record<string, unknown> | string, contentType: string, requestId = randomUUID()) =>
  h.post(typeof body === 'string' ? body : JSON.stringify(body), {
    headers: { 'X-Postback-Token': TEST_SECRET, 'Content-Type': contentType },
    requestId,
  });
const sendAs = (form: Form, body: Record<string, unknown>) => send(FORMS[form].encode(body), FORMS[form].contentType);

describe('every provider example, in both forms', () => {
  const cases = EXAMPLE_NAMES.flatMap((name) => [
    [name, 'xml', 'json'],
    [name, 'json', 'xml'],
  ]) as [(typeof EXAMPLE_NAMES)[number], Form, Form][];

  it.each(cases)('%s sent as %s is accepted, and the same postback as %s is a duplicate', async (name, first, second) => {
    const trackingId = `x-${randomUUID()}`;
    const body = { ...fixture(name), 'tracking-id': trackingId };

    const accepted = await sendAs(first, body);
    const copy = await sendAs(second, body);

    expect(accepted.body).toMatchObject({ result: 'accepted', trackingId, latest: true });
    expect(copy.body).toEqual({ result: 'duplicate', postbackId: accepted.body.postbackId, trackingId });
    const events = await h.eventsFor(trackingId);
    expect(events).toHaveLength(1);
    expect(events[0]!.detail).toMatchObject({ postbackId: accepted.body.postbackId, format: first, raw: body });
    expect(await h.state(trackingId)).toMatchObject({ postbackId: accepted.body.postbackId, format: first });
  });

  it.each(EXAMPLE_NAMES)('%s gets the same postbackId in both forms', async (name) => {
    const asJson = { ...fixture(name), 'tracking-id': `j-${randomUUID()}` };

    const jsonAnswer = await sendAs('json', asJson);
    const xmlAnswer = await sendAs('xml', asJson);

    expect(jsonAnswer.body.result).toBe('accepted');
    expect(xmlAnswer.body).toEqual({ result: 'duplicate', postbackId: jsonAnswer.body.postbackId, trackingId: asJson['tracking-id'] });
  });

  it('accepts text/xml and a base64-encoded XML body, and stores the body as received', async () => {
    const trackingId = `x-${randomUUID()}`;
    const xml = toXmlPostback({ ...fixture('n101'), 'tracking-id': trackingId });

    const res = await h.post(Buffer.from(xml).toString('base64'), {
      isBase64Encoded: true,
      headers: { 'X-Postback-Token': TEST_SECRET, 'Content-Type': 'text/xml; charset=UTF-8' },
    });

    expect(res.body).toMatchObject({ result: 'accepted', trackingId });
    expect(await h.history(trackingId)).toEqual([expect.objectContaining({ body: xml, [ATTRIBUTE.isLatest]: true })]);
  });

  it('validates the XML form with the same schema', async () => {
    const body = { ...fixture('n101'), 'tracking-id': `x-${randomUUID()}`, 'sent-as': 'FAX' };
    const res = await sendAs('xml', body);
    expect(res.statusCode).toBe(400);
    expect(res.body).toEqual(
      errorBody({ error: 'validation_failed', details: [{ path: '/sent-as', message: 'must be one of "MMS", "SMS"' }] }),
    );
  });
});

describe('hostile and mislabelled bodies', () => {
  const rejectedRecords = () => h.rejectedRecords();
  const n101Xml = toXmlPostback({ ...fixture('n101'), 'tracking-id': 'hostile' });
  const billionLaughs =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
    `${Array.from({ length: 8 }, (_, i) => `<!ENTITY lol${i + 2} "${`&lol${i + 1};`.repeat(10)}">`).join('')}]>` +
    '<postback><origin>MMS_MT</origin><code>&lol9;</code></postback>';

  it.each([
    ['billion laughs', billionLaughs, 'application/xml', 'invalid_xml'],
    [
      'an external entity',
      n101Xml.replace('<postback>', '<!DOCTYPE postback [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><postback>').replace('N101', '&xxe;'),
      'application/xml',
      'invalid_xml',
    ],
    ['deep nesting', `<postback>${'<a>'.repeat(5_000)}${'</a>'.repeat(5_000)}</postback>`, 'text/xml', 'invalid_xml'],
    ['malformed XML', n101Xml.replace('</postback>', ''), 'application/xml', 'invalid_xml'],
    ['JSON labelled XML', JSON.stringify(fixture('n101')), 'application/xml', 'invalid_xml'],
    ['XML labelled JSON', n101Xml, 'application/json', 'invalid_json'],
  ])('refuses %s with 400 and keeps it as a rejected record', async (_name, body, contentType, error) => {
    const requestId = randomUUID();
    const before = h.bus.requestCount;

    const res = await send(body, contentType, requestId);

    expect(res.statusCode).toBe(400);
    expect(res.body).toEqual(errorBody({ error, message: expect.any(String) }));
    expect(h.bus.requestCount).toBe(before);
    const kept = (await rejectedRecords()).find((r) => r.requestId === requestId);
    expect(kept).toMatchObject({ statusCode: 400, reason: error, body, contentType });
  });
});
