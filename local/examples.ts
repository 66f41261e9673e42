/**
 * The provider's example postbacks, read from `test/fixtures/*.json` (one copy of each).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const EXAMPLES = {
  n101: 'N101 MMS sent (MT)',
  n102: 'N102 delivered (MT)',
  e102: 'E102 rejected (MT)',
  n003: 'N003 saved MMS template ready (MT)',
  n401: 'N401 inbound MMS received (MO)',
} as const;

export type ExampleName = keyof typeof EXAMPLES;

export function isExampleName(name: string): name is ExampleName {
  return Object.hasOwn(EXAMPLES, name);
}

/** A fresh copy of the example `name`. */
export function loadExample(name: ExampleName): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(__dirname, '..', 'test', 'fixtures', `${name}.json`), 'utf8'));
}
