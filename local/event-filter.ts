/**
 * Lambda event filtering, evaluated locally: does a record match a filter pattern of an event
 * source mapping (the object whose `JSON.stringify` is one `FilterCriteria` pattern)? The local
 * run applies the publisher's pattern (`lambda/publisher/stream-filter.ts`, the object the
 * construct deploys) to every stream record before it batches them, as the mapping does.
 *
 * The rules, as AWS documents them
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/with-ddb-filtering.html):
 *
 * - every key of the pattern must match (AND); an object nests into the record's object;
 * - an array lists the accepted values (OR): a literal (string, number, boolean, `null`) equals
 *   the record's value, or an operator object matches it; a record value that is an array
 *   matches when one of its elements does;
 * - the one operator a pattern of this project uses, `prefix`;
 * - a key the record lacks matches no value.
 *
 * Any other operator (`exists`, `suffix`, `anything-but`, `numeric`, …) throws, so that the local run never passes a record
 * the deployed filter would not (or the reverse) without saying so: add it here when a
 * pattern needs it.
 */

/** A filter pattern: nested objects whose leaves are arrays of accepted values. */
export type FilterPattern = { readonly [key: string]: FilterPattern | readonly unknown[] };

/** Thrown for a pattern this matcher cannot evaluate (an unknown operator, a malformed leaf). */
export class FilterPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterPatternError';
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One accepted value of a pattern's array against one (non-array) record value; `present` is false for a missing key. */
function valueMatches(accepted: unknown, value: unknown, present: boolean): boolean {
  if (!isObject(accepted)) return present && accepted === value;
  const operators = Object.keys(accepted);
  if (operators.length !== 1) throw new FilterPatternError(`one operator per object, got ${JSON.stringify(accepted)}`);
  const operator = operators[0] as string;
  const operand = accepted[operator];
  switch (operator) {
    case 'prefix':
      if (typeof operand !== 'string') throw new FilterPatternError(`prefix needs a string, got ${JSON.stringify(operand)}`);
      return present && typeof value === 'string' && value.startsWith(operand);
    default:
      throw new FilterPatternError(`operator "${operator}" is not supported by the local filter (add it to local/event-filter.ts)`);
  }
}

function leafMatches(accepted: readonly unknown[], value: unknown, present: boolean): boolean {
  const values = present && Array.isArray(value) ? value : [value];
  return accepted.some((a) => values.some((v) => valueMatches(a, v, present)));
}

/**
 * Whether `record` matches `pattern` under Lambda's event filtering rules.
 *
 * @example
 * matchesFilter({ eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: [{ prefix: 'H#' }] } } } }, record); // true for a history insert
 */
export function matchesFilter(pattern: FilterPattern, record: unknown): boolean {
  for (const [key, expected] of Object.entries(pattern)) {
    const present = isObject(record) && Object.hasOwn(record, key);
    const value = present ? (record as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(expected)) {
      if (!leafMatches(expected, value, present)) return false;
    } else if (isObject(expected)) {
      if (!present || !isObject(value)) return false;
      if (!matchesFilter(expected as FilterPattern, value)) return false;
    } else {
      throw new FilterPatternError(`the pattern's "${key}" must be an array or an object, got ${JSON.stringify(expected)}`);
    }
  }
  return true;
}

/** Whether `record` matches at least one of the mapping's filters (Lambda ORs them); no filter passes everything. */
export function matchesAnyFilter(patterns: readonly FilterPattern[], record: unknown): boolean {
  return patterns.length === 0 || patterns.some((p) => matchesFilter(p, record));
}
