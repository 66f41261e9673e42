/**
 * The XML form of postbacks: mapping to the JSON form, and refusal of hostile or malformed XML.
 */
import { UnreadableBodyError } from '../../../lambda/errors';
import { MAX_XML_DEPTH, parseXmlPostback } from '../../../lambda/http/xml-postback';
import { toXmlPostback } from '../../../local/xml-form';
import { EXAMPLE_NAMES, fixture } from '../../helpers/fixtures';

describe('parseXmlPostback: the JSON form of an XML postback', () => {
  it.each(EXAMPLE_NAMES)('maps the XML form of the %s example back to its JSON form exactly', (name) => {
    const json = fixture(name);
    expect(parseXmlPostback(toXmlPostback(json))).toEqual(json);
  });

  it('maps the provider example: repeated <file> to the content list, an empty element to an empty string', () => {
    const xml =
      '<postback><origin>MMS_MO</origin><code>N401</code><from>14082257140</from><to>28444</to><keyword>all</keyword>' +
      '<tracking-id>MMS_MO_iLnCRrL6</tracking-id><operator-id>31002</operator-id><timestamp>2014-02-03T11:19:49-05:00</timestamp>' +
      '<message-subject></message-subject><content><file>https://x.example/a.jpg</file><file>https://x.example/b.txt</file></content></postback>';

    expect(parseXmlPostback(xml)).toEqual({
      origin: 'MMS_MO',
      code: 'N401',
      from: '14082257140',
      to: '28444',
      keyword: 'all',
      'tracking-id': 'MMS_MO_iLnCRrL6',
      'operator-id': '31002',
      timestamp: '2014-02-03T11:19:49-05:00',
      'message-subject': '',
      content: [{ file: 'https://x.example/a.jpg' }, { file: 'https://x.example/b.txt' }],
    });
  });

  it.each([
    ['one <file> is still a list', '<content><file>u</file></content>', { content: [{ file: 'u' }] }],
    ['one <number> is still a list', '<copy-to><number>17745550002</number></copy-to>', { 'copy-to': [{ number: '17745550002' }] }],
    ['an empty <content> is an empty list', '<content/>', { content: [] }],
    ['values stay strings (no number parsing)', '<operator-id>0310</operator-id><to>1e5</to>', { 'operator-id': '0310', to: '1e5' }],
    ['values are not trimmed', '<keyword> INFO </keyword>', { keyword: ' INFO ' }],
    ['a self-closed element is an empty string', '<message-subject/>', { 'message-subject': '' }],
    ['predefined entities and character references are decoded', '<keyword>AT&amp;T &#233;&#x41;&lt;</keyword>', { keyword: 'AT&T éA<' }],
    ['CDATA is text', '<keyword><![CDATA[a<b&c]]></keyword>', { keyword: 'a<b&c' }],
    ['undocumented fields are kept', '<x-extra>1</x-extra>', { 'x-extra': '1' }],
    ['attributes are ignored', '<code kind="mt">N101</code>', { code: 'N101' }],
  ])('%s', (_name, children, expected) => {
    expect(parseXmlPostback(`<postback>${children}</postback>`)).toEqual(expected);
  });

  it('ignores the XML declaration and indentation between elements', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<postback>\n  <code>N101</code>\n  <content>\n    <file>u</file>\n  </content>\n</postback>\n';
    expect(parseXmlPostback(xml)).toEqual({ code: 'N101', content: [{ file: 'u' }] });
  });

  it('leaves a repeated single-valued field as a list, for the schema to refuse', () => {
    expect(parseXmlPostback('<postback><code>N101</code><code>N102</code></postback>')).toEqual({ code: ['N101', 'N102'] });
  });
});

describe('parseXmlPostback: refusals (400 invalid_xml)', () => {
  const billionLaughs =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><postback><code>&lol3;</code></postback>';
  const externalEntity =
    '<?xml version="1.0"?><!DOCTYPE postback [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><postback><code>&xxe;</code></postback>';
  const externalDtd = '<?xml version="1.0"?><!DOCTYPE postback SYSTEM "http://127.0.0.1:1/evil.dtd"><postback><code>N101</code></postback>';
  const deep = `<postback>${'<a>'.repeat(MAX_XML_DEPTH + 1)}x${'</a>'.repeat(MAX_XML_DEPTH + 1)}</postback>`;

  it.each([
    ['billion laughs', billionLaughs, /DTD/],
    ['an external entity', externalEntity, /DTD/],
    ['an external DTD', externalDtd, /DTD/],
    ['a lower-case doctype', '<!doctype postback><postback/>', /DTD/],
    ['an undeclared entity', '<postback><code>&nbsp;</code></postback>', /entities/],
    ['deep nesting', deep, /nested/i],
    ['a JSON body', JSON.stringify(fixture('n101')), /well-formed/],
    ['an unclosed element', '<postback><code>N101</postback>', /well-formed/],
    ['another root element', '<message><code>N101</code></message>', /one <postback>/],
    ['two postbacks', '<postback/><postback/>', /one <postback>/],
    ['text instead of fields', '<postback>N101</postback>', /one element per field/],
    ['text mixed with fields', '<postback>N<code>N101</code></postback>', /mixes text/],
    ['an empty body', '  ', /empty/],
  ])('refuses %s', (_name, xml, message) => {
    let error: unknown;
    try {
      parseXmlPostback(xml);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnreadableBodyError);
    expect((error as UnreadableBodyError).body()).toEqual({ error: 'invalid_xml', message: expect.stringMatching(message) });
  });
});
