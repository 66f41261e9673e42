import { CATALOG, CODE_PATTERN, DETAIL_TYPES, type DetailType, STATUS_UNKNOWN, UNRECOGNIZED_DETAIL_TYPE } from './catalog';
import { type FieldKind, POSTBACK_FIELDS } from './fields';

/**
 * One JSON Schema (draft-04 compatible, as the EventBridge schema registry expects) per
 * detail-type, generated from the code catalog and the field table: the same sources
 * as the TypeScript types in `event-detail.ts`.
 */

type JsonSchema = Record<string, unknown>;

function detailSchemaOf(kind: FieldKind): JsonSchema {
  switch (kind) {
    case 'numberList':
    case 'fileList':
      return { type: 'array', items: { type: 'string' } };
    case 'sentAs':
      return { type: 'string', enum: ['MMS', 'SMS'] };
    default:
      return { type: 'string' };
  }
}

const FIELD_PROPERTIES: JsonSchema = Object.fromEntries(
  Object.values(POSTBACK_FIELDS).map((field) => [field.detail, detailSchemaOf(field.kind)]),
);

const ALWAYS_PRESENT = [
  'postbackId',
  'trackingId',
  'code',
  'timestamp',
  'origin',
  'lifecycle',
  'outcome',
  'final',
  'isLatest',
  'receivedAt',
  'raw',
  'format',
];

function statusUnknownSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: STATUS_UNKNOWN.detailType,
    description:
      'Synthetic final state of a message that got no final postback in time (statusUnknownAfter after its first accepted postback); a real final postback arriving later supersedes it.',
    type: 'object',
    required: [...ALWAYS_PRESENT.filter((name) => name !== 'raw' && name !== 'format'), 'synthetic', 'waitStartedAt'],
    properties: {
      postbackId: { type: 'string' },
      ...FIELD_PROPERTIES,
      code: { type: 'string', enum: [STATUS_UNKNOWN.code] },
      lifecycle: { type: 'string', enum: [STATUS_UNKNOWN.lifecycle] },
      outcome: { type: 'string', enum: [STATUS_UNKNOWN.outcome] },
      final: { type: 'boolean', enum: [STATUS_UNKNOWN.final] },
      isLatest: { type: 'boolean' },
      receivedAt: { type: 'string', format: 'date-time' },
      synthetic: { type: 'boolean', enum: [true] },
      waitStartedAt: { type: 'string', format: 'date-time' },
    },
    additionalProperties: false,
  };
}

function schemaFor(detailType: DetailType): JsonSchema {
  if (detailType === STATUS_UNKNOWN.detailType) return statusUnknownSchema();
  const entries = CATALOG.filter((entry) => entry.detailType === detailType);
  const first = entries[0];
  const specific: JsonSchema = first
    ? {
        code: { type: 'string', enum: entries.map((entry) => entry.code) },
        lifecycle: { type: 'string', enum: [first.lifecycle] },
        outcome: { type: 'string', enum: [first.outcome] },
        final: { type: 'boolean', enum: [first.final] },
        isLatest: { type: 'boolean' },
      }
    : {
        code: { type: 'string', pattern: CODE_PATTERN },
        lifecycle: { type: 'string', enum: ['unknown'] },
        outcome: { type: 'string', enum: ['unknown'] },
        final: { type: 'boolean', enum: [false] },
        isLatest: { type: 'boolean', enum: [false] },
      };
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: detailType,
    description:
      detailType === UNRECOGNIZED_DETAIL_TYPE
        ? 'Detail of a postback with a well-formed code that the catalog does not know (history only, never the latest state).'
        : `Detail of an MMS postback with code ${entries.map((entry) => entry.code).join(' or ')}.`,
    type: 'object',
    required: ALWAYS_PRESENT,
    properties: {
      postbackId: { type: 'string' },
      ...FIELD_PROPERTIES,
      ...specific,
      receivedAt: { type: 'string', format: 'date-time' },
      raw: { type: 'object' },
      format: { type: 'string', enum: ['json', 'xml'] },
    },
    additionalProperties: false,
  };
}

/**
 * The JSON Schema of the Detail of each detail-type.
 *
 * @example
 * EVENT_DETAIL_SCHEMAS['MMS Delivered'].properties.code; // { type: 'string', enum: ['N102'] }
 */
export const EVENT_DETAIL_SCHEMAS: Readonly<Record<DetailType, JsonSchema>> = Object.fromEntries(
  DETAIL_TYPES.map((detailType) => [detailType, schemaFor(detailType)]),
) as Record<DetailType, JsonSchema>;
