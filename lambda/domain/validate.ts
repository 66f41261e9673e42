import { CODE_PATTERN } from './catalog';
import { LIMITS, type PostbackFieldName } from './fields';
import validateGenerated, { type AjvError } from './generated/postback-validator';
import { type Instant, toInstant } from './timestamp';

/** One reason a postback failed validation; `path` is a JSON pointer into the body. */
export interface ValidationDetail {
  readonly path: string;
  readonly message: string;
}

/** A postback that passed the schema: documented fields typed, any other field kept as is. */
export type ValidPostback = {
  readonly origin: string;
  readonly code: string;
  readonly timestamp: string;
  readonly 'tracking-id'?: string;
  readonly 'sent-as'?: 'MMS' | 'SMS';
  readonly 'copy-to'?: readonly { readonly number: string }[];
  readonly content?: readonly { readonly file: string }[];
} & { readonly [K in Exclude<PostbackFieldName, 'copy-to' | 'content' | 'sent-as'>]?: string } & {
  readonly [extra: string]: unknown;
};

export type ValidationResult =
  | {
      readonly ok: true;
      readonly postback: ValidPostback;
      /** The postback's timestamp as an instant, parsed once here: pass it on to `interpretPostback`. */
      readonly instant: Instant;
    }
  | { readonly ok: false; readonly details: readonly ValidationDetail[] };

const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  code: `must be N or E followed by 3 digits (${CODE_PATTERN})`,
  timestamp: 'must be an ISO 8601 date-time with a time zone (Z or an offset such as -05:00)',
};
const PHONE_MESSAGE = 'must be an optional + and 3 to 15 digits';

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function lastSegment(pointer: string): string {
  const segment = pointer.slice(pointer.lastIndexOf('/') + 1);
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function describe(error: AjvError): ValidationDetail | undefined {
  const { keyword, params, instancePath } = error;
  switch (keyword) {
    case 'if':
      return undefined; // the failing "then" keyword is reported on its own
    case 'required': {
      const missing = String(params.missingProperty);
      return { path: `${instancePath}/${escapePointer(missing)}`, message: 'is required' };
    }
    case 'pattern': {
      const field = lastSegment(instancePath);
      return { path: instancePath, message: PATTERN_MESSAGES[field] ?? PHONE_MESSAGE };
    }
    case 'const':
      return { path: instancePath, message: `must be "${String(params.allowedValue)}" for this code` };
    case 'enum':
      return {
        path: instancePath,
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'maxLength':
      return {
        path: instancePath,
        message:
          lastSegment(instancePath) === 'tracking-id'
            ? `must be at most ${LIMITS.maxTrackingIdLength} characters`
            : `must be at most ${String(params.limit)} characters`,
      };
    case 'minLength':
      return { path: instancePath, message: 'must not be empty' };
    case 'maxItems':
      return { path: instancePath, message: `must have at most ${String(params.limit)} items` };
    case 'type':
      return {
        path: instancePath,
        message: `must be ${params.type === 'object' || params.type === 'array' ? 'an' : 'a'} ${String(params.type)}`,
      };
    default:
      return { path: instancePath, message: error.message ?? 'is invalid' };
  }
}

/**
 * Validates a parsed JSON body against the postback schema (a standalone ajv validator
 * generated at build time) and checks that the timestamp is a real instant, which a valid
 * result carries (so that the timestamp is parsed once per postback).
 *
 * @example
 * const result = validatePostback(JSON.parse(body));
 * if (!result.ok) console.log(result.details); // [{ path: '/to', message: '...' }]
 * else interpretPostback(result.postback, new Date(), 'json', result.instant);
 */
export function validatePostback(body: unknown): ValidationResult {
  const details: ValidationDetail[] = [];
  if (!validateGenerated(body)) {
    const seen = new Set<string>();
    for (const error of validateGenerated.errors ?? []) {
      const detail = describe(error);
      if (!detail) continue;
      const key = `${detail.path}\u0000${detail.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      details.push(detail);
    }
    return { ok: false, details };
  }
  const postback = body as ValidPostback;
  const instant = toInstant(postback.timestamp);
  if (instant === undefined) {
    return { ok: false, details: [{ path: '/timestamp', message: 'is not a valid date and time' }] };
  }
  return { ok: true, postback, instant };
}
