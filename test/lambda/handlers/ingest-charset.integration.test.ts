/**
 * The body's bytes are decoded exactly once, with the declared charset: integration tests
 * of the real ingest handler (DynamoDB Local, loopback EventBridge). Events are built the
 * way API Gateway builds them with the stack's binary media types: the raw bytes,
 * base64-encoded, with `isBase64Encoded`.
 */
import { randomUUID } from 'node:crypto';
import { startLocalApi } from '../../../local/http-server';
import { toXmlPostback } from '../../../local/xml-form';
import { errorBody } from '../../helpers/error-bodies';
import { fixture } from '../../helpers/fixtures';
import { type IngestHarness, startIngestHarness, TEST_SECRET } from '../../helpers/ingest-harness';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngestHarness();
});
afterAll(() => h.close());

const uniqueId = () => `cs-${randomUUID()}`;
const JOSE = 'Jos\u00e9';

/** A postback whose `status-details` is José, as JSON text. */
const bodyText = (trackingId: string) => JSON.stringify({ ...fixture('n101'), 'tracking-id': trackingId, 'status-details': JOSE });

const postBytes = (bytes: Buffer, contentType: string) =>
  h.post(bytes.toString('base64'), { isBase64Encoded: true, headers: { 'x-postback-token': TEST_SECRET, 'content-type': contentType } });

/** What was stored and published for the message. */
async function seen(trackingId: string) {
  return {
    state: (await h.state(trackingId))?.statusDetails,
    history: (await h.history(trackingId)).map((e) => JSON.parse(String(e.body))['status-details']),
    events: (await h.eventsFor(trackingId)).map((e) => e.detail.statusDetails),
  };
}

describe('charset decoding', () => {
  it.each([
    ['no charset (UTF-8)', 'application/json', 'utf8'],
    ['charset=utf-8', 'application/json; charset=utf-8', 'utf8'],
    ['charset="UTF-8"', 'application/json; charset="UTF-8"', 'utf8'],
    ['charset=latin1 with ISO-8859-1 bytes', 'application/json; charset=latin1', 'latin1'],
    ['charset=ISO-8859-1 with ISO-8859-1 bytes', 'application/json;charset=ISO-8859-1', 'latin1'],
    ['charset=utf-16 with UTF-16LE bytes and a byte order mark', 'application/json; charset=utf-16', 'utf16le-bom'],
    ['charset=utf-16 with UTF-16BE bytes and a byte order mark', 'application/json; charset=utf-16', 'utf16be-bom'],
    ['charset=utf-16le without a byte order mark', 'application/json; charset=utf-16le', 'utf16le'],
  ] as const)('%s: José is stored and published as José', async (_name, contentType, encoding) => {
    const trackingId = uniqueId();
    const text = bodyText(trackingId);
    const bytes =
      encoding === 'utf16le-bom'
        ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
        : encoding === 'utf16be-bom'
          ? Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()])
          : Buffer.from(text, encoding);

    const res = await postBytes(bytes, contentType);

    expect(res.body).toMatchObject({ result: 'accepted', trackingId });
    expect(await seen(trackingId)).toEqual({ state: JOSE, history: [JOSE], events: [JOSE] });
  });

  it('accepts an ASCII body declared us-ascii', async () => {
    const trackingId = uniqueId();
    const res = await postBytes(
      Buffer.from(JSON.stringify({ ...fixture('n101'), 'tracking-id': trackingId }), 'ascii'),
      'application/json; charset=us-ascii',
    );
    expect(res.body).toMatchObject({ result: 'accepted', trackingId });
  });

  it('does not decode twice a body that arrives as text (a caller other than API Gateway)', async () => {
    const trackingId = uniqueId();
    const res = await h.post(bodyText(trackingId), {
      isBase64Encoded: false,
      headers: { 'x-postback-token': TEST_SECRET, 'content-type': 'application/json; charset=latin1' },
    });
    expect(res.body).toMatchObject({ result: 'accepted', trackingId });
    expect(await seen(trackingId)).toEqual({ state: JOSE, history: [JOSE], events: [JOSE] });
  });

  it('accepts an ASCII body declared utf-16 that arrives as text: it was decoded already', async () => {
    const trackingId = uniqueId();
    const res = await h.post(JSON.stringify({ ...fixture('n101'), 'tracking-id': trackingId }), {
      isBase64Encoded: false,
      headers: { 'x-postback-token': TEST_SECRET, 'content-type': 'application/json; charset=utf-16' },
    });
    expect(res.body).toMatchObject({ result: 'accepted', trackingId });
  });

  it('answers 400 when the bytes are not valid in the charset, naming it', async () => {
    const latin1 = Buffer.from(bodyText(uniqueId()), 'latin1'); // 0xe9 alone is not UTF-8
    const res = await postBytes(latin1, 'application/json');
    expect(res.statusCode).toBe(400);
    expect(res.body).toEqual(errorBody({ error: 'invalid_json', message: 'body is not valid utf-8' }));
  });

  it('answers 400 invalid_xml (not invalid_json) when the bytes of an XML body are not valid in its charset', async () => {
    const latin1 = Buffer.from(toXmlPostback({ ...fixture('n101'), 'tracking-id': uniqueId(), 'status-details': JOSE }), 'latin1');
    const res = await postBytes(latin1, 'application/xml; charset=utf-8');
    expect(res.statusCode).toBe(400);
    expect(res.body).toEqual(errorBody({ error: 'invalid_xml', message: 'body is not valid utf-8 (declared charset utf-8)' }));
  });

  it('decodes an ASCII body declared utf-16 as UTF-16 (the declared charset decides), which is not JSON: 400', async () => {
    const ascii = Buffer.from(JSON.stringify({ ...fixture('n101'), 'tracking-id': uniqueId() }), 'ascii');
    const res = await postBytes(ascii, 'application/json; charset=utf-16');
    expect(res.statusCode).toBe(400);
    expect(res.body).toEqual(errorBody({ error: 'invalid_json', message: 'body is not valid JSON (decoded as utf-16)' }));
  });

  it.each(['klingon', 'iso-2022-kr', 'x-unknown-8'])('answers 415 for the unknown charset %s, naming it', async (charset) => {
    const res = await postBytes(Buffer.from(bodyText(uniqueId())), `application/json; charset=${charset}`);
    expect(res.statusCode).toBe(415);
    expect(res.body).toEqual(
      errorBody({ error: 'unsupported_media_type', message: expect.stringContaining(`charset "${charset}" is not supported`) }),
    );
  });

  it('applies the 64 KiB limit to the decoded bytes, not to the base64 text', async () => {
    const trackingId = uniqueId();
    const base = JSON.stringify({ ...fixture('n101'), 'tracking-id': trackingId, pad: '' });
    const exactly = Buffer.from(base.replace('"pad":""', `"pad":"${'x'.repeat(64 * 1024 - base.length)}"`));
    const over = Buffer.from(base.replace('"pad":""', `"pad":"${'x'.repeat(64 * 1024 - base.length + 1)}"`));
    expect(exactly.length).toBe(64 * 1024);
    expect(exactly.toString('base64').length).toBeGreaterThan(80 * 1024);

    const atLimit = await postBytes(exactly, 'application/json');
    const overLimit = await postBytes(over, 'application/json');

    expect(atLimit.body).toMatchObject({ result: 'accepted', trackingId });
    expect(overLimit.statusCode).toBe(413);
  });

  it('over real HTTP through the local API Gateway stand-in, ISO-8859-1 bytes declared latin1 give José', async () => {
    const api = await startLocalApi({
      port: 0,
      routes: [{ resource: '/postbacks', method: 'POST', functionName: 'IngestFunction', handler: () => h.handler as never }],
    });
    const trackingId = uniqueId();
    try {
      const res = await fetch(`${api.url}/postbacks`, {
        method: 'POST',
        headers: { 'x-postback-token': TEST_SECRET, 'content-type': 'application/json; charset=latin1' },
        body: Buffer.from(bodyText(trackingId), 'latin1'),
      });
      expect(await res.json()).toMatchObject({ result: 'accepted', trackingId });
    } finally {
      await api.close();
    }
    expect(await seen(trackingId)).toEqual({ state: JOSE, history: [JOSE], events: [JOSE] });
  });
});
