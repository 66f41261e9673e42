import { CATALOG, CODE_PATTERN, MO_CODES, MT_CODES } from './catalog';
import { type FieldKind, LIMITS, PHONE_PATTERN, POSTBACK_FIELDS, TIMESTAMP_PATTERN } from './fields';

/**
 * The JSON Schema of an incoming postback, built from the code catalog and the field
 * table. It is compiled by ajv at build time (`npm run gen` writes the standalone
 * validator `generated/postback-validator.js`), never in the Lambda.
 */

const phone = { type: 'string', pattern: PHONE_PATTERN } as const;

function inputSchemaOf(kind: FieldKind): Record<string, unknown> {
  switch (kind) {
    case 'text':
      return { type: 'string', maxLength: LIMITS.maxTextLength };
    case 'code':
      return { type: 'string', pattern: CODE_PATTERN };
    case 'sentAs':
      return { type: 'string', enum: ['MMS', 'SMS'] };
    case 'phone':
      return phone;
    case 'timestamp':
      return { type: 'string', maxLength: LIMITS.maxTextLength, pattern: TIMESTAMP_PATTERN };
    case 'trackingId':
      return { type: 'string', minLength: 1, maxLength: LIMITS.maxTrackingIdLength };
    case 'numberList':
      return {
        type: 'array',
        maxItems: LIMITS.maxListItems,
        items: { type: 'object', required: ['number'], properties: { number: phone } },
      };
    case 'fileList':
      return {
        type: 'array',
        maxItems: LIMITS.maxListItems,
        items: {
          type: 'object',
          required: ['file'],
          properties: { file: { type: 'string', minLength: 1, maxLength: LIMITS.maxTextLength } },
        },
      };
  }
}

const ALL_CODES = CATALOG.map((entry) => entry.code);

export const POSTBACK_SCHEMA = {
  $id: 'https://mms-postbacks.invalid/postback.json',
  type: 'object',
  required: ['origin', 'code', 'timestamp'],
  properties: Object.fromEntries(Object.entries(POSTBACK_FIELDS).map(([name, field]) => [name, inputSchemaOf(field.kind)])),
  allOf: [
    {
      // Inbound (MO): tracking-id optional (derived from from/to/timestamp when absent).
      if: { required: ['code'], properties: { code: { enum: [...MO_CODES] } } },
      then: { properties: { origin: { const: 'MMS_MO' } } },
    },
    {
      // MT: sent or template postbacks.
      if: { required: ['code'], properties: { code: { enum: [...MT_CODES] } } },
      then: { required: ['status', 'tracking-id'], properties: { origin: { const: 'MMS_MT' } } },
    },
    {
      // A well-formed code the catalog does not know: accepted for history; an MT one needs its tracking-id.
      if: { required: ['code'], properties: { code: { not: { enum: ALL_CODES } } } },
      then: {
        properties: { origin: { enum: ['MMS_MT', 'MMS_MO'] } },
        if: { required: ['origin'], properties: { origin: { const: 'MMS_MT' } } },
        then: { required: ['tracking-id'] },
      },
    },
  ],
} as const;
