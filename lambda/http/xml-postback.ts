import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { UnreadableBodyError } from '../errors';

/**
 * The XML form of a postback (the provider's XML API): a `<postback>` element whose child
 * elements carry the same field names as the JSON form. `<content>` holds repeated `<file>`
 * elements and `<copy-to>` repeated `<number>` elements; they become the same arrays of
 * `{ "file": … }` / `{ "number": … }` objects as in JSON, even when there is only one.
 *
 * Parsed safely with fast-xml-parser:
 * - no DTD: a document with `<!DOCTYPE` or `<!ENTITY` outside comments and CDATA sections is
 *   refused before parsing, so there are no entity declarations to expand (billion laughs) and
 *   no external references (XXE); inside a comment or a CDATA section such text is only text;
 * - only the five predefined XML entities and numeric character references are decoded;
 *   any other entity reference is refused (it could only have come from a DTD);
 * - characters as XML 1.0 defines them (its `Char` production): a raw control character
 *   other than tab, line feed and carriage return, or a character reference to a character XML
 *   does not allow (`&#0;`, a surrogate, U+FFFE, U+FFFF, anything above U+10FFFF), is refused;
 * - nesting bounded ({@link MAX_XML_DEPTH}); the size is bounded by the body limit before this runs;
 * - element names are kept exactly as sent, as the JSON form keeps its keys (`constructor`,
 *   `__proto__`, `toString`): the parser sees every name behind a prefix that no XML name can
 *   have, and the fields are written as own properties, so nothing reaches a prototype;
 * - every value stays a string as sent: no number parsing, no trimming; an empty element is `""`.
 */

/** The deepest element nesting accepted, `postback` included (`postback` > `content` > `file` is 3). */
export const MAX_XML_DEPTH = 8;

/** The list fields of the postback and the element each item is carried in. */
const LIST_FIELDS: Readonly<Record<string, string>> = { content: 'file', 'copy-to': 'number' };

const TEXT = '#text';
const DTD = /<!\s*(DOCTYPE|ENTITY)/i;
/** Comments and CDATA sections, whichever starts first: their content is text, not markup. */
const COMMENT_OR_CDATA = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g;
/** An `&` that does not start a predefined entity or a character reference. */
const OTHER_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/;
/** A character outside XML 1.0's `Char` production (a lone surrogate included). */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const CHARACTER_REFERENCE = /&#(?:([0-9]+)|x([0-9a-fA-F]+));/g;
/**
 * Put before every element name the parser sees: a space, which no XML name can hold, so no
 * name the parser sees is one it guards against (`__proto__`, `constructor`, `toString`) and
 * none can collide with its own keys (`#text`). Taken off again by {@link sentName} (the
 * parser may apply it twice to an empty element, so every leading space goes).
 */
const NAME_PREFIX = ' ';

/** An element name as sent, from the name the parser saw. */
function sentName(key: string): string {
  return key.replace(/^ +/, '');
}

/** Whether a code point is a `Char` of XML 1.0 (https://www.w3.org/TR/xml/#charsets). */
function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

/** Refuses characters and character references that XML 1.0 does not allow. `markup` is the text without comments and CDATA sections. */
function checkCharacters(text: string, markup: string): void {
  const raw = NOT_XML_CHAR.exec(text);
  if (raw) {
    const codePoint = raw[0].codePointAt(0) ?? 0;
    throw new UnreadableBodyError('xml', `character U+${hex(codePoint)} is not allowed in XML (at offset ${raw.index})`);
  }
  for (const [reference, decimal, hexadecimal] of markup.matchAll(CHARACTER_REFERENCE)) {
    // Digits beyond any code point need no exact value: they are out of range either way.
    const digits = decimal ?? hexadecimal ?? '';
    const codePoint = digits.replace(/^0+/, '').length > 8 ? Number.POSITIVE_INFINITY : Number.parseInt(digits, decimal ? 10 : 16);
    if (!isXmlChar(codePoint)) {
      throw new UnreadableBodyError('xml', `character reference ${reference} is to a character XML does not allow`);
    }
  }
}

function hex(codePoint: number): string {
  return codePoint.toString(16).toUpperCase().padStart(4, '0');
}

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
    // The parser counts the elements open below the root: `postback` is the one more.
    maxNestedTags: MAX_XML_DEPTH - 1,
    transformTagName: (name) => `${NAME_PREFIX}${name}`,
    isArray: (_name, jPath) => LIST_ITEM_PATHS.has(String(jPath).replace(/(^|\.) +/g, '$1')),
  });

/** The paths of the list items, with the names as sent. */
const LIST_ITEM_PATHS: ReadonlySet<string> = new Set(Object.entries(LIST_FIELDS).map(([list, item]) => `postback.${list}.${item}`));

/** Sets an own, enumerable property, whatever its name (`__proto__` too), as `JSON.parse` does. */
function setOwn(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The parsed elements with their names as sent ({@link NAME_PREFIX} taken off, each an own
 * property); drops whitespace-only text between child elements (indentation); other text next
 * to elements is an error.
 */
function fieldsOf(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((item) => fieldsOf(item, path));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (key === TEXT) {
      if (String(child).trim() !== '') throw new UnreadableBodyError('xml', `<${path}> mixes text with child elements`);
      continue;
    }
    const name = sentName(key);
    setOwn(out, name, fieldsOf(child, name));
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
  const markup = text.replace(COMMENT_OR_CDATA, '');
  if (DTD.test(markup)) throw new UnreadableBodyError('xml', 'DTDs and entity declarations are not accepted');
  if (OTHER_ENTITY.test(markup)) {
    throw new UnreadableBodyError('xml', 'only the predefined XML entities and character references are accepted');
  }
  checkCharacters(text, markup);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new UnreadableBodyError('xml', `body is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  }
  let document: Record<string, unknown>;
  try {
    parser ??= newParser();
    document = parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    if (/maximum nested tags/i.test((error as Error).message)) {
      throw new UnreadableBodyError('xml', `body nests deeper than ${MAX_XML_DEPTH} elements`, { cause: error });
    }
    throw new UnreadableBodyError('xml', `body is not acceptable XML: ${(error as Error).message}`, { cause: error });
  }
  const keys = Object.keys(document);
  const roots = keys.map(sentName);
  if (roots.length !== 1 || roots[0] !== 'postback') {
    throw new UnreadableBodyError(
      'xml',
      `the document must be one <postback> element, got ${roots.map((r) => `<${r}>`).join(', ') || 'none'}`,
    );
  }
  const root = document[keys[0] as string];
  if (Array.isArray(root)) throw new UnreadableBodyError('xml', 'the document must be one <postback> element, got several');
  if (root === '') return {};
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new UnreadableBodyError('xml', '<postback> must hold one element per field');
  }
  const fields = fieldsOf(root, 'postback') as Record<string, unknown>;
  for (const [field, itemName] of Object.entries(LIST_FIELDS)) {
    if (Object.hasOwn(fields, field)) setOwn(fields, field, asList(fields[field], itemName));
  }
  return fields;
}
