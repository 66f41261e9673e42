import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { UnreadableBodyError } from '../errors';

/**
 * The XML form of a postback (the provider's XML API): a `<postback>` element whose child
 * elements carry the same field names as the JSON form. `<content>` holds repeated `<file>`
 * elements and `<copy-to>` repeated `<number>` elements; they become the same arrays of
 * `{ "file": … }` / `{ "number": … }` objects as in JSON, even when there is only one.
 *
 * Parsed safely with fast-xml-parser:
 * - no DTD: a document with `<!DOCTYPE` or `<!ENTITY` is refused before parsing, so there
 *   are no entity declarations to expand (billion laughs) and no external references (XXE);
 * - only the five predefined XML entities and numeric character references are decoded;
 *   any other entity reference is refused (it could only have come from a DTD);
 * - nesting bounded ({@link MAX_XML_DEPTH}); the size is bounded by the body limit before this runs;
 * - every value stays a string as sent: no number parsing, no trimming; an empty element is `""`.
 */

/** The deepest element nesting accepted (`postback` > `content` > `file` is 3). */
export const MAX_XML_DEPTH = 8;

/** The list fields of the postback and the element each item is carried in. */
const LIST_FIELDS: Readonly<Record<string, string>> = { content: 'file', 'copy-to': 'number' };

const TEXT = '#text';
const DTD = /<!\s*(DOCTYPE|ENTITY)/i;
const CDATA = /<!\[CDATA\[[\s\S]*?\]\]>/g;
/** An `&` that does not start a predefined entity or a character reference. */
const OTHER_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/;

/** Built on first use, so that bundles that import this module without parsing XML stay free of it. */
let parser: XMLParser | undefined;
const newParser = () =>
  new XMLParser({
    ignoreAttributes: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    parseTagValue: false,
    trimValues: false,
    // The DTD is refused above; what remains are the predefined entities and character
    // references (decoded by the `htmlEntities` table; other names were refused above).
    processEntities: true,
    htmlEntities: true,
    maxNestedTags: MAX_XML_DEPTH,
    isArray: (_name, jPath) => jPath === 'postback.content.file' || jPath === 'postback.copy-to.number',
  });

/** Drops whitespace-only text between child elements (indentation); other text next to elements is an error. */
function withoutLayout(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutLayout(item, path));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
    if (name === TEXT) {
      if (String(child).trim() !== '') throw new UnreadableBodyError('xml', `<${path}> mixes text with child elements`);
      continue;
    }
    out[name] = withoutLayout(child, name);
  }
  return out;
}

function asList(value: unknown, itemName: string): unknown {
  if (value === '') return [];
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    const [only] = entries;
    if (entries.length === 1 && only && only[0] === itemName && Array.isArray(only[1])) {
      return only[1].map((item) => ({ [itemName]: item }));
    }
  }
  return value; // not the documented shape: left as is, for the schema to refuse with a field path
}

/**
 * Parses an XML postback (already decoded text) into the JSON form of the same postback.
 * Throws {@link UnreadableBodyError} (`invalid_xml`) for anything that is not one well-formed `<postback>` element
 * without a DTD.
 *
 * @example
 * parseXmlPostback('<postback><origin>MMS_MT</origin><code>N101</code></postback>');
 * // { origin: 'MMS_MT', code: 'N101' }
 */
export function parseXmlPostback(text: string): Record<string, unknown> {
  if (text.trim() === '') throw new UnreadableBodyError('xml', 'body is empty: expected one <postback> element');
  if (DTD.test(text)) throw new UnreadableBodyError('xml', 'DTDs and entity declarations are not accepted');
  if (OTHER_ENTITY.test(text.replace(CDATA, ''))) {
    throw new UnreadableBodyError('xml', 'only the predefined XML entities and character references are accepted');
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new UnreadableBodyError('xml', `body is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  }
  let document: Record<string, unknown>;
  try {
    parser ??= newParser();
    document = parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new UnreadableBodyError('xml', `body is not acceptable XML: ${(error as Error).message}`, { cause: error });
  }
  const roots = Object.keys(document);
  if (roots.length !== 1 || roots[0] !== 'postback') {
    throw new UnreadableBodyError(
      'xml',
      `the document must be one <postback> element, got ${roots.map((r) => `<${r}>`).join(', ') || 'none'}`,
    );
  }
  const root = document.postback;
  if (Array.isArray(root)) throw new UnreadableBodyError('xml', 'the document must be one <postback> element, got several');
  if (root === '') return {};
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new UnreadableBodyError('xml', '<postback> must hold one element per field');
  }
  const fields = withoutLayout(root, 'postback') as Record<string, unknown>;
  for (const [field, itemName] of Object.entries(LIST_FIELDS)) {
    if (Object.hasOwn(fields, field)) fields[field] = asList(fields[field], itemName);
  }
  return fields;
}
