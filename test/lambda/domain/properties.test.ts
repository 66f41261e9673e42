import fc from 'fast-check';
import { POSTBACK_FIELDS, type PostbackFieldName } from '../../../lambda/domain/fields';
import { interpretPostback } from '../../../lambda/domain/postback';
import { toInstant } from '../../../lambda/domain/timestamp';
import { validatePostback } from '../../../lambda/domain/validate';
import { epochMsArb, formatTimestamp, offsetArb, validPostbackArb } from '../../helpers/arbitraries';
import { detailValidators } from '../../helpers/detail-validators';

describe('properties of the domain core', () => {
  it('any valid postback round-trips into an event Detail with every field kept', () => {
    fc.assert(
      fc.property(validPostbackArb, fc.boolean(), (postback, isLatest) => {
        const result = validatePostback(postback);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const record = interpretPostback(result.postback, new Date());
        const detail = JSON.parse(JSON.stringify({ ...record.detail, isLatest })); // as it travels
        expect(detail.raw).toEqual(postback);
        for (const name of Object.keys(POSTBACK_FIELDS) as PostbackFieldName[]) {
          const value = postback[name];
          const spec = POSTBACK_FIELDS[name];
          if (value === undefined) {
            if (name !== 'tracking-id') expect(detail).not.toHaveProperty(spec.detail);
            continue;
          }
          const expected =
            spec.kind === 'numberList'
              ? (value as { number: string }[]).map((v) => v.number)
              : spec.kind === 'fileList'
                ? (value as { file: string }[]).map((v) => v.file)
                : value;
          expect(detail[spec.detail]).toEqual(expected);
        }
        const validate = detailValidators[record.detailType]!;
        expect(validate(detail) ? [] : validate.errors).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('the same instant written in any zone gives the same instant key and postbackId', () => {
    fc.assert(
      fc.property(validPostbackArb, epochMsArb, offsetArb, offsetArb, (postback, ms, a, b) => {
        const one = interpretPostback({ ...postback, timestamp: formatTimestamp(ms, a, true) } as never, new Date());
        const two = interpretPostback({ ...postback, timestamp: formatTimestamp(ms, b, true) } as never, new Date());
        expect(two.instant).toEqual(one.instant);
        expect(two.postbackId).toBe(one.postbackId);
        expect(toInstant(formatTimestamp(ms, a, true))?.epochMs).toBe(ms);
      }),
    );
  });

  it('validation never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = validatePostback(value);
        if (!result.ok) {
          expect(result.details.length).toBeGreaterThan(0);
          for (const d of result.details) expect(d.path === '' || d.path.startsWith('/')).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
