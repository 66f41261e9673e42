import Ajv, { type ValidateFunction } from 'ajv';
import { DETAIL_TYPES, type DetailType } from '../../lambda/domain/catalog';
import { EVENT_DETAIL_SCHEMAS } from '../../lambda/domain/event-schemas';

// The schemas declare draft-04 (what the EventBridge registry expects); their keywords mean
// the same in ajv's default draft. `date-time` is documentation here, not checked.
const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, formats: { 'date-time': true } });

/** A compiled validator of the Detail JSON Schema of each detail-type. */
export const detailValidators: Readonly<Record<DetailType, ValidateFunction>> = Object.fromEntries(
  DETAIL_TYPES.map((t) => [t, ajv.compile(EVENT_DETAIL_SCHEMAS[t])]),
) as Record<DetailType, ValidateFunction>;
