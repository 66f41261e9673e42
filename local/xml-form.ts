/**
 * The XML form of a postback, as the provider's XML API sends it: the JSON fields as child
 * elements of `<postback>`, `content` as repeated `<file>` and `copy-to` as repeated `<number>`
 * elements. Used by `npm run postback -- --xml` and the tests.
 */
import { XMLBuilder } from 'fast-xml-parser';

const builder = new XMLBuilder({ format: false, suppressEmptyNode: false, processEntities: true });

const LIST_FIELDS: Readonly<Record<string, string>> = { content: 'file', 'copy-to': 'number' };

/**
 * @example
 * toXmlPostback({ origin: 'MMS_MT', code: 'N101', content: [{ file: 'https://x/a.jpg' }] });
 * // '<?xml version="1.0" encoding="UTF-8"?><postback><origin>MMS_MT</origin><code>N101</code><content><file>https://x/a.jpg</file></content></postback>'
 */
export function toXmlPostback(postback: Readonly<Record<string, unknown>>): string {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(postback)) {
    const itemName = LIST_FIELDS[name];
    fields[name] =
      itemName && Array.isArray(value) ? { [itemName]: value.map((item) => (item as Record<string, unknown>)[itemName]) } : value;
  }
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build({ postback: fields }) as string}`;
}
