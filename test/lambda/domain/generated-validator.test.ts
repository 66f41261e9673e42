import { readFileSync } from 'node:fs';
import { GENERATED_VALIDATOR_PATH, generateValidatorSource } from '../../../scripts/generate-validators';

it('the committed standalone validator matches the schema (run `npm run gen` after changing it)', () => {
  expect(readFileSync(GENERATED_VALIDATOR_PATH, 'utf8')).toBe(generateValidatorSource());
});
