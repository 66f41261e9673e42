import { TextDecoder } from 'node:util';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { InvalidJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors';
import { parseXmlPostback } from './xml-postback';

/** A header's value, looked up case-insensitively (API Gateway passes names as the client sent them). */
export function header(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const headers = event.headers ?? {};
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) return headers[key];
  return undefined;
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

/** The request body after base64 decoding, as text, with the facts the error paths need. */
export interface DecodedBody {
  readonly text: string;
  readonly bytes: number;
  readonly contentType: string | undefined;
}

const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;
const XML_MEDIA_TYPE = /^(application|text)\/xml\s*(;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/i;

function decoderFor(contentType: string): TextDecoder {
  const label = CHARSET.exec(contentType)?.[1];
  if (label) {
    try {
      return new TextDecoder(label);
    } catch {
      // an unknown charset label: JSON is UTF-8 (RFC 8259), so fall back to it
    }
  }
  return new TextDecoder('utf-8');
}

/** Decodes the body (base64 when flagged), without checking anything. Used to keep refused postbacks. */
export function rawBody(event: APIGatewayProxyEvent, maxBytes: number): { text: string; bytes: number; truncated: boolean } {
  const buffer = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');
  const truncated = buffer.length > maxBytes;
  const text = (truncated ? buffer.subarray(0, maxBytes) : buffer).toString('utf8');
  return { text, bytes: buffer.length, truncated };
}

/** The body's bytes (base64-decoded when flagged), size-checked (413), decoded once with the declared charset. */
function bodyText(event: APIGatewayProxyEvent, contentType: string, maxBytes: number): string {
  const buffer = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');
  if (buffer.length > maxBytes) throw new PayloadTooLargeError(buffer.length, maxBytes);
  return decoderFor(contentType).decode(buffer);
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

/**
 * Checks the content type and size, decodes the body and parses it as one JSON object.
 * Throws 415, 413 or 400 errors, in that order.
 *
 * @example
 * const { json, text } = readJsonBody(event, 65536);
 */
export function readJsonBody(event: APIGatewayProxyEvent, maxBytes: number): { json: Record<string, unknown>; text: string } {
  const contentType = header(event, 'content-type');
  if (!contentType || !JSON_MEDIA_TYPE.test(contentType.trim())) throw new UnsupportedMediaTypeError(contentType);
  const text = bodyText(event, contentType, maxBytes);
  if (text.trim() === '') throw new InvalidJsonError('body is empty: expected one JSON object');
  if (depthExceeds(text, MAX_JSON_DEPTH)) {
    throw new InvalidJsonError(`body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidJsonError('body is not valid JSON', { cause: error });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new InvalidJsonError(
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
  const contentType = header(event, 'content-type')?.trim();
  if (contentType && XML_MEDIA_TYPE.test(contentType)) {
    const text = bodyText(event, contentType, maxBytes);
    return { json: parseXmlPostback(text), text, format: 'xml' };
  }
  return { ...readJsonBody(event, maxBytes), format: 'json' };
}
