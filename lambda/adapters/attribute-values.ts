import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * Minimal marshalling between plain values and DynamoDB AttributeValues. The store
 * writes raw AttributeValues instead of going through `@aws-sdk/lib-dynamodb`: the item
 * shapes are few and fixed, and the marshalling layer costs bundle size and CPU.
 */
export function toAttribute(value: unknown): AttributeValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) {
    const items = value.map(toAttribute).filter((item): item is AttributeValue => item !== undefined);
    return { L: items };
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => [key, toAttribute(item)] as const)
      .filter((entry): entry is readonly [string, AttributeValue] => entry[1] !== undefined);
    return { M: Object.fromEntries(entries) };
  }
  throw new TypeError(`cannot store a value of type ${typeof value}`);
}

export function fromAttribute(value: AttributeValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map(fromAttribute);
  if (value.M !== undefined) return fromItem(value.M);
  if (value.SS !== undefined) return value.SS;
  return undefined;
}

export function fromItem(item: Record<string, AttributeValue>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) result[key] = fromAttribute(value);
  return result;
}
