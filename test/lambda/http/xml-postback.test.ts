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
    ['deep nesting', deep, /nests deeper than 8 elements/],
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

/** `depth` nested elements, `postback` included. */
function nested(depth: number): string {
  const inner = depth - 1;
  return `<postback>${'<a>'.repeat(inner)}x${'</a>'.repeat(inner)}</postback>`;
}

function refusal(xml: string): Record<string, unknown> | undefined {
  try {
    parseXmlPostback(xml);
  } catch (error) {
    if (error instanceof UnreadableBodyError) return error.body();
    throw error;
  }
  return undefined;
}

describe('parseXmlPostback: characters as XML 1.0 defines them', () => {
  it.each([
    ['&#0;', 'character reference &#0; is to a character XML does not allow'],
    ['&#x0;', 'character reference &#x0; is to a character XML does not allow'],
    ['&#1;', 'character reference &#1; is to a character XML does not allow'],
    ['&#xD800;', 'character reference &#xD800; is to a character XML does not allow'],
    ['&#xDFFF;', 'character reference &#xDFFF; is to a character XML does not allow'],
    ['&#xFFFE;', 'character reference &#xFFFE; is to a character XML does not allow'],
    ['&#xFFFF;', 'character reference &#xFFFF; is to a character XML does not allow'],
    ['&#x110000;', 'character reference &#x110000; is to a character XML does not allow'],
    ['&#1114112;', 'character reference &#1114112; is to a character XML does not allow'],
    ['&#x0000000000000041000000;', 'character reference &#x0000000000000041000000; is to a character XML does not allow'],
    ['\u0000', 'character U+0000 is not allowed in XML (at offset 26)'],
    ['\u0001', 'character U+0001 is not allowed in XML (at offset 26)'],
    ['\u001f', 'character U+001F is not allowed in XML (at offset 26)'],
    ['\ud800', 'character U+D800 is not allowed in XML (at offset 26)'],
    ['\uffff', 'character U+FFFF is not allowed in XML (at offset 26)'],
  ])('refuses %j in a field', (text, message) => {
    expect(refusal(`<postback><status-details>${text}</status-details></postback>`)).toEqual({ error: 'invalid_xml', message });
  });

  it('a raw control character is refused in a CDATA section and in a comment too', () => {
    expect(refusal('<postback><a><![CDATA[\u0002]]></a></postback>')).toMatchObject({ error: 'invalid_xml' });
    expect(refusal('<postback><!-- \u0002 --><a>x</a></postback>')).toMatchObject({ error: 'invalid_xml' });
  });

  it('accepts every character XML allows, raw or as a reference, at the edges of its ranges', () => {
    const xml =
      '<postback><a>&#9;&#xA;&#xD;&#x20;&#xD7FF;&#xE000;&#xFFFD;&#x10000;&#x10FFFF;\t\n\ud7ff\ue000\ufffd\u{10000}\u{10FFFF}</a></postback>';
    expect(parseXmlPostback(xml)).toEqual({ a: '\t\n\r \ud7ff\ue000\ufffd\u{10000}\u{10FFFF}\t\n\ud7ff\ue000\ufffd\u{10000}\u{10FFFF}' });
  });

  it('a reference inside a CDATA section is text, not a reference', () => {
    expect(parseXmlPostback('<postback><a><![CDATA[&#0; &foo;]]></a></postback>')).toEqual({ a: '&#0; &foo;' });
  });
});

describe('parseXmlPostback: a DTD only where markup is', () => {
  it.each([
    [
      'a CDATA section',
      '<postback><status-details><![CDATA[<!DOCTYPE x [<!ENTITY y "z">]>]]></status-details></postback>',
      '<!DOCTYPE x [<!ENTITY y "z">]>',
    ],
    ['a comment', '<postback><!-- <!DOCTYPE x> <!ENTITY y "z"> &y; --><status-details>ok</status-details></postback>', 'ok'],
  ])('text in %s that contains <!DOCTYPE or <!ENTITY is accepted', (_where, xml, details) => {
    expect(parseXmlPostback(xml)).toEqual({ 'status-details': details });
  });

  it('a DTD after a comment or a CDATA section is still refused', () => {
    expect(refusal('<!-- x --><!DOCTYPE postback><postback/>')).toMatchObject({
      error: 'invalid_xml',
      message: 'DTDs and entity declarations are not accepted',
    });
    expect(refusal('<postback><a><![CDATA[x]]></a></postback><!DOCTYPE x>')).toMatchObject({
      error: 'invalid_xml',
      message: 'DTDs and entity declarations are not accepted',
    });
  });
});

describe('parseXmlPostback: element names are kept as sent', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__'])('<%s>', (name) => {
    const fields = parseXmlPostback(`<postback><code>N101</code><${name}>x</${name}></postback>`);

    expect(Object.keys(fields)).toEqual(['code', name]);
    expect(Object.getOwnPropertyDescriptor(fields, name)?.value).toBe('x');
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('gives the same object as JSON.parse of the JSON form, __proto__ included', () => {
    const xml = '<postback><__proto__><polluted>yes</polluted></__proto__><constructor>c</constructor><toString>t</toString></postback>';
    const json = JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":"c","toString":"t"}');

    const fields = parseXmlPostback(xml);

    expect(JSON.stringify(fields)).toBe(JSON.stringify(json));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((fields as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe('parseXmlPostback: the nesting limit', () => {
  it('is 8 elements, postback included', () => {
    expect(MAX_XML_DEPTH).toBe(8);
  });

  it('accepts exactly 8 nested elements and refuses 9', () => {
    expect(() => parseXmlPostback(nested(8))).not.toThrow();
    expect(refusal(nested(9))).toEqual({ error: 'invalid_xml', message: 'body nests deeper than 8 elements' });
  });
});
