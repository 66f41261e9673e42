/**
 * The provider's example postbacks, the one loader of `test/fixtures/*.json` (one file per
 * example): `npm run postback` sends them, the tests, the bench and the load test's campaign
 * build their postbacks from them (`test/helpers/fixtures.ts` re-exports this module).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const FIXTURES_DIR = path.join(__dirname, '..', 'test', 'fixtures');

/** The examples by name, with what each one is. */
export const EXAMPLES = {
  n101: 'N101 MMS sent (MT)',
  n102: 'N102 delivered (MT)',
  e102: 'E102 rejected (MT)',
  n003: 'N003 saved MMS template ready (MT)',
  n401: 'N401 inbound MMS received (MO)',
} as const;

export type ExampleName = keyof typeof EXAMPLES;

/** Every example's name, in lifecycle order (MT send, delivery, rejection, template, MO). */
export const EXAMPLE_NAMES = Object.keys(EXAMPLES) as readonly ExampleName[];

export function isExampleName(name: string): name is ExampleName {
  return Object.hasOwn(EXAMPLES, name);
}

/**
 * A fresh copy of the example `name`, with `overrides` applied on top.
 *
 * @example
 * const body = loadExample('n102', { 'tracking-id': 'my-id' });
 */
export function loadExample(name: ExampleName, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(JSON.parse(readFileSync(path.join(FIXTURES_DIR, `${name}.json`), 'utf8')) as Record<string, unknown>), ...overrides };
}
