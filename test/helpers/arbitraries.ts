import fc from 'fast-check';
import { CATALOG, MT_CODES } from '../../lambda/domain/catalog';
import { formatTimestamp } from '../../lambda/domain/timestamp';

/** An ISO 8601 timestamp with a zone (Z or an offset), for a given instant. */
export { formatTimestamp };

export const epochMsArb = fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2099-12-31T00:00:00Z') });
export const offsetArb = fc.constantFrom(0, 330, -240, 60, -600, 765);
export const timestampArb = fc
  .tuple(epochMsArb, offsetArb, fc.boolean())
  .map(([ms, offset, fraction]) => formatTimestamp(fraction ? ms : ms - (ms % 1000), offset, fraction));

export const phoneArb = fc.stringMatching(/^\+?[0-9]{3,15}$/);
const textArb = fc.string({ maxLength: 40 });

const optionalMtFields = fc.record(
  {
    'sent-as': fc.constantFrom('MMS', 'SMS'),
    'status-details': textArb,
    to: phoneArb,
    from: phoneArb,
    'client-reference': textArb,
    'mms-id': textArb,
    handset: textArb,
    'content-type': textArb,
    'content-name': textArb,
    'error-info': textArb,
  },
  { requiredKeys: [] },
);

const optionalMoFields = fc.record(
  {
    to: phoneArb,
    from: phoneArb,
    'tracking-id': fc.string({ minLength: 1, maxLength: 128 }),
    keyword: textArb,
    'operator-id': textArb,
    'message-subject': textArb,
    'copy-to': fc.array(
      phoneArb.map((number) => ({ number })),
      { maxLength: 3 },
    ),
    content: fc.array(
      fc.webUrl().map((file) => ({ file })),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: [] },
);

/** Extra fields the spec does not document; kept, never rejected. As JSON carries them (no -0). */
const extraFieldsArb = fc
  .dictionary(
    fc.string({ minLength: 1, maxLength: 10 }).map((k) => `x-${k}`),
    fc.jsonValue({ maxDepth: 2 }),
    { maxKeys: 2 },
  )
  .map((fields) => JSON.parse(JSON.stringify(fields)) as Record<string, unknown>);

export const mtPostbackArb = fc
  .record({
    code: fc.constantFrom(...MT_CODES),
    status: textArb,
    'tracking-id': fc.string({ minLength: 1, maxLength: 128 }),
    timestamp: timestampArb,
    optional: optionalMtFields,
    extra: extraFieldsArb,
  })
  .map(({ optional, extra, ...required }) => ({ ...extra, origin: 'MMS_MT', ...required, ...optional }) as Record<string, unknown>);

export const moPostbackArb = fc
  .record({ timestamp: timestampArb, optional: optionalMoFields, extra: extraFieldsArb })
  .map(
    ({ optional, extra, timestamp }) => ({ ...extra, origin: 'MMS_MO', code: 'N401', timestamp, ...optional }) as Record<string, unknown>,
  );

/** Any postback the schema accepts (known codes). */
export const validPostbackArb = fc.oneof(mtPostbackArb, moPostbackArb);

/** Codes for one MT message's lifecycle, including an unrecognized one. */
export const messageCodeArb = fc.constantFrom(...CATALOG.filter((e) => e.lifecycle === 'send').map((e) => e.code), 'N555');
