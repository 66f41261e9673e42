import { TextDecoder } from 'node:util';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PayloadTooLargeError, UnreadableBodyError, UnsupportedCharsetError, UnsupportedMediaTypeError } from '../errors';
import type * as XmlPostback from './xml-postback';

/**
 * A header's value in `headers`, looked up case-insensitively (names stay as the client sent
 * them); the first of several values.
 *
 * @example
 * headerValue({ 'Retry-After': '5' }, 'retry-after'); // '5'
 */
export function headerValue<V extends string | readonly string[] | undefined>(
  headers: Readonly<Record<string, V>> | null | undefined,
  name: string,
): string | undefined {
  if (!headers) return undefined;
  let value = headers[name];
  if (value === undefined) {
    const lower = name.toLowerCase();
    const key = Object.keys(headers).find((k) => k.toLowerCase() === lower);
    value = key === undefined ? undefined : headers[key];
  }
  return typeof value === 'string' || value === undefined ? value : (value as readonly string[])[0];
}

/** A header's value, looked up case-insensitively (API Gateway passes names as the client sent them). */
export function header(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  return headerValue(event.headers, name);
}

/**
 * Every credential the request presents: the password of HTTP Basic auth (any user
 * name), the `X-Postback-Token` header and the `token` query parameter.
 */
export function presentedCredentials(event: APIGatewayProxyEvent): string[] {
  const found: string[] = [];
  const authorization = header(event, 'authorization');
  if (authorization && /^basic\s+/i.test(authorization)) {
    const decoded = Buffer.from(authorization.replace(/^basic\s+/i, '').trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) found.push(decoded.slice(colon + 1));
  }
  const token = header(event, 'x-postback-token');
  if (token) found.push(token);
  const query = event.queryStringParameters?.token;
  if (query) found.push(query);
  return found;
}

/**
 * The media types API Gateway must pass to the function as bytes (`binaryMediaTypes` of the
 * REST API): the proxy event then carries the raw body base64-encoded (`isBase64Encoded`),
 * so that the declared charset is applied once, here. Without them API Gateway hands over
 * the body as UTF-8 text, which a non-UTF-8 body does not survive.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html
 */
export const BINARY_MEDIA_TYPES: readonly string[] = ['application/json', 'application/xml', 'text/xml'];

/**
 * Whether a content type is one of `mediaTypes` (its parameters, such as `charset`, ignored;
 * wildcard entries such as `text/*` match every subtype).
 *
 * @example
 * matchesMediaType('application/json; charset=latin1', BINARY_MEDIA_TYPES); // true
 */
export function matchesMediaType(contentType: string | undefined, mediaTypes: readonly string[] = BINARY_MEDIA_TYPES): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!type) return false;
  return mediaTypes.some((entry) => {
    const wanted = entry.toLowerCase();
    if (wanted === '*/*' || wanted === type) return true;
    return wanted.endsWith('/*') && type.startsWith(wanted.slice(0, -1));
  });
}

const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;
const XML_MEDIA_TYPE = /^(application|text)\/xml\s*(;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;

/** The `charset` parameter of a content type, if any. */
function charsetOf(contentType: string | undefined): string | undefined {
  return contentType === undefined ? undefined : CHARSET.exec(contentType)?.[1];
}

/**
 * Decoders by lower-cased label and mode, created once per container: a decoder holds no
 * state between calls that do not stream, also after a fatal error. Only labels the
 * standard knows are kept, so the cache holds at most one entry per label and mode.
 */
const decoders = new Map<string, TextDecoder>();

function cachedDecoder(label: string, fatal: boolean): TextDecoder {
  const key = `${fatal ? 'fatal' : 'lossy'}:${label.toLowerCase()}`;
  let decoder = decoders.get(key);
  if (!decoder) {
    decoder = new TextDecoder(label, { fatal }); // throws for a label the standard does not know
    decoders.set(key, decoder);
  }
  return decoder;
}

/**
 * The decoder for a declared charset (UTF-8 when none is declared), or `undefined` for a
 * label the WHATWG Encoding Standard does not know. Labels follow that standard, as Node's
 * `TextDecoder` implements it: `latin1`, `iso-8859-1` and `us-ascii` decode as windows-1252
 * (identical to ISO-8859-1 except for the C1 control range 0x80-0x9F); `utf-16` is
 * little-endian unless the body starts with a big-endian byte order mark.
 */
function decoderFor(charset: string | undefined, bytes: Uint8Array | undefined, fatal: boolean): TextDecoder | undefined {
  let decoder: TextDecoder;
  try {
    decoder = cachedDecoder(charset ?? 'utf-8', fatal);
  } catch {
    return undefined;
  }
  // "replacement" is what the standard maps dangerous legacy labels (iso-2022-kr, …) to: it decodes nothing.
  if (decoder.encoding === 'replacement') return undefined;
  if (decoder.encoding === 'utf-16le' && bytes?.[0] === 0xfe && bytes[1] === 0xff) return cachedDecoder('utf-16be', fatal);
  return decoder;
}

/**
 * The body as received, without checking anything: its bytes as sent (`kept`, cut to
 * `maxBytes`) and their text, decoded lossily where it must be (for people). Used to keep
 * refused postbacks.
 */
export function rawBody(
  event: APIGatewayProxyEvent,
  maxBytes: number,
): { text: string; kept: Uint8Array; bytes: number; truncated: boolean } {
  if (!event.isBase64Encoded) {
    // A body that arrived as text (other callers) is already decoded: its bytes are its UTF-8 encoding.
    const text = event.body ?? '';
    const encoded = Buffer.from(text, 'utf8');
    if (encoded.length <= maxBytes) return { text, kept: encoded, bytes: encoded.length, truncated: false };
    const kept = encoded.subarray(0, maxBytes);
    return { text: cachedDecoder('utf-8', false).decode(kept), kept, bytes: encoded.length, truncated: true };
  }
  const buffer = Buffer.from(event.body ?? '', 'base64');
  const truncated = buffer.length > maxBytes;
  const kept = truncated ? buffer.subarray(0, maxBytes) : buffer;
  const decoder = decoderFor(charsetOf(header(event, 'content-type')), kept, false) ?? cachedDecoder('utf-8', false);
  return { text: decoder.decode(kept), kept, bytes: buffer.length, truncated };
}

/**
 * The body as text: its bytes decoded exactly once, with the declared charset (UTF-8 when
 * none is declared). API Gateway passes the bytes base64-encoded (`isBase64Encoded`) for
 * the binary media types the stack declares; a body that arrives as text (other callers)
 * is already decoded: it is taken as it is and measured as its UTF-8 bytes. Throws 413 when
 * the bytes exceed `maxBytes`, 415 for an unknown charset and 400 (`invalid_json` or
 * `invalid_xml`, after `format`) when the bytes are not valid in the declared charset.
 *
 * @example
 * decodeBody(event, 'application/json; charset=iso-8859-1', 65536, 'json'); // 'José' from the bytes 4a 6f 73 e9
 */
export function decodeBody(event: APIGatewayProxyEvent, contentType: string | undefined, maxBytes: number, format: BodyFormat): string {
  const charset = charsetOf(contentType);
  if (!event.isBase64Encoded) {
    const text = event.body ?? '';
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxBytes) throw new PayloadTooLargeError(bytes, maxBytes);
    if (!decoderFor(charset, undefined, true)) throw new UnsupportedCharsetError(charset ?? '');
    return text;
  }
  const buffer = Buffer.from(event.body ?? '', 'base64');
  if (buffer.length > maxBytes) throw new PayloadTooLargeError(buffer.length, maxBytes);
  const decoder = decoderFor(charset, buffer, true);
  if (!decoder) throw new UnsupportedCharsetError(charset ?? '');
  try {
    return decoder.decode(buffer);
  } catch (error) {
    throw new UnreadableBodyError(format, `body is not valid ${decoder.encoding}${charset ? ` (declared charset ${charset})` : ''}`, {
      cause: error,
    });
  }
}

/** The deepest nesting accepted in a body; deeper documents are refused before anything recurses over them. */
export const MAX_JSON_DEPTH = 32;

function depthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** Decodes the body and parses it as one JSON object (`contentType` is the request's, already checked to be JSON). */
function jsonBody(event: APIGatewayProxyEvent, contentType: string, maxBytes: number): { json: Record<string, unknown>; text: string } {
  const text = decodeBody(event, contentType, maxBytes, 'json');
  if (text.trim() === '') throw new UnreadableBodyError('json', 'body is empty: expected one JSON object');
  if (depthExceeds(text, MAX_JSON_DEPTH)) {
    throw new UnreadableBodyError('json', `body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const charset = charsetOf(contentType);
    throw new UnreadableBodyError('json', `body is not valid JSON${charset ? ` (decoded as ${charset})` : ''}`, { cause: error });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new UnreadableBodyError(
      'json',
      `body must be a JSON object, got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}`,
    );
  }
  return { json: json as Record<string, unknown>, text };
}

/** The wire format of a postback body. */
export type BodyFormat = 'json' | 'xml';

/**
 * Reads a postback body in either of its forms: JSON (`application/json`) or XML
 * (`application/xml`, `text/xml`; mapped to the JSON form by `parseXmlPostback`). Throws
 * 415, 413 or 400 (`invalid_json` / `invalid_xml`) errors.
 *
 * @example
 * const { json, text, format } = readPostbackBody(event, 65536);
 */
export function readPostbackBody(
  event: APIGatewayProxyEvent,
  maxBytes: number,
): { json: Record<string, unknown>; text: string; format: BodyFormat } {
  const contentType = header(event, 'content-type'); // looked up once per request
  const type = contentType?.trim() ?? '';
  if (XML_MEDIA_TYPE.test(type)) {
    const text = decodeBody(event, type, maxBytes, 'xml');
    return { json: xmlPostback().parseXmlPostback(text), text, format: 'xml' };
  }
  if (contentType === undefined || !JSON_MEDIA_TYPE.test(type)) throw new UnsupportedMediaTypeError(contentType);
  return { ...jsonBody(event, contentType, maxBytes), format: 'json' };
}

/**
 * The XML parser (`xml-postback.ts` and fast-xml-parser, about 65 KB), loaded on the first XML
 * body rather than at init: most senders post JSON. esbuild bundles a `require` of an ES module
 * as a lazily evaluated module (its code is in the bundle, evaluated on the first call).
 *
 * @example
 * const json = xmlPostback().parseXmlPostback(text);
 */
export function xmlPostback(): typeof XmlPostback {
  return require('./xml-postback') as typeof XmlPostback;
}
