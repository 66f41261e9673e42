/**
 * Property test of the real ingest handler against DynamoDB Local: whatever string the
 * schema accepts as `client-reference` (multi-byte, empty, blank, over the 2,048 bytes a
 * DynamoDB partition key may hold) is stored and published exactly as sent, never 5xx.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { LIMITS } from '../../../lambda/domain/fields';
import { validatePostback } from '../../../lambda/domain/validate';
import { ATTRIBUTE } from '../../../lambda/table/attributes';
import { isListedClientReference } from '../../../lambda/table/client-reference-index';
import { fixture } from '../../helpers/fixtures';
import { type IngestHarness, startIngestHarness } from '../../helpers/ingest-harness';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngestHarness();
});
afterAll(() => h.close());

const max = LIMITS.maxTextLength;
/** Strings the schema accepts as a text field: every code point, every length up to the limit, and the edge cases by name. */
const clientReferenceArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: max }),
  fc.string({ unit: 'grapheme', maxLength: max }),
  fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\u00a0', '\u3000', '\u2028', '\ufeff'), maxLength: 8 }),
  fc.string({ unit: fc.constantFrom('漢', '字', 'é', '\u{1F600}', '\u{1F469}\u200D\u{1F4BB}'), minLength: max - 8, maxLength: max }),
  fc.constantFrom('', ' ', '\u{1F600}'.repeat(max), '漢'.repeat(max), 'x'.repeat(max), '\u{10FFFF}'.repeat(max)),
);

describe('client-reference values', () => {
  it('every schema-valid value is accepted, stored and published exactly as sent; only listed values get an index entry', async () => {
    await fc.assert(
      fc.asyncProperty(clientReferenceArb, async (clientReference) => {
        const trackingId = `cr-${randomUUID()}`;
        const body = { ...fixture('n101'), 'tracking-id': trackingId, 'client-reference': clientReference };
        fc.pre(validatePostback(body).ok);

        const res = await h.post(body);

        expect(res.statusCode).toBe(200);
        const state = await h.state(trackingId);
        expect(state?.clientReference).toBe(clientReference);
        expect((await h.eventsFor(trackingId)).map((e) => e.detail.clientReference)).toEqual([clientReference]);
        expect(state?.[ATTRIBUTE.clientReferenceKey] !== undefined).toBe(isListedClientReference(clientReference));
      }),
      { numRuns: 100 },
    );
  });
});
