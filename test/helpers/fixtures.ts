import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The provider's example postbacks (`test/fixtures/*.json`), by name. */
export const EXAMPLE_NAMES = ['n101', 'n102', 'e102', 'n003', 'n401'] as const;
export type ExampleName = (typeof EXAMPLE_NAMES)[number];

/**
 * A fresh copy of one example postback.
 *
 * @example
 * const body = { ...fixture('n102'), 'tracking-id': 'my-id' };
 */
export function fixture(name: ExampleName): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', `${name}.json`), 'utf8'));
}
