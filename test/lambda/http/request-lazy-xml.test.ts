/**
 * The XML parser is loaded on the first XML body, not when the function loads: most senders
 * post JSON, and fast-xml-parser with its dependencies is about 65 KB of code to evaluate.
 * The module registry of this test file records when fast-xml-parser is first loaded.
 */
const mockXmlParserLoads: string[] = [];
jest.mock('fast-xml-parser', () => {
  mockXmlParserLoads.push('fast-xml-parser');
  return jest.requireActual('fast-xml-parser');
});

import type { APIGatewayProxyEvent } from 'aws-lambda';

const event = (contentType: string, body: string) =>
  ({ headers: { 'Content-Type': contentType }, body, isBase64Encoded: false }) as unknown as APIGatewayProxyEvent;

describe('readPostbackBody', () => {
  it('loads the XML parser on the first XML body, not before', () => {
    // Loaded here, as the function loads it, after the registry started recording.
    const { readPostbackBody } = require('../../../lambda/http/request') as typeof import('../../../lambda/http/request');
    expect(mockXmlParserLoads).toEqual([]);

    readPostbackBody(event('application/json', '{"code":"N101"}'), 65_536);
    expect(mockXmlParserLoads).toEqual([]);

    const { json, format } = readPostbackBody(event('application/xml', '<postback><code>N101</code></postback>'), 65_536);

    expect(format).toBe('xml');
    expect(json).toEqual({ code: 'N101' });
    expect(mockXmlParserLoads).toEqual(['fast-xml-parser']);
  });
});
