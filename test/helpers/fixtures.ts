/**
 * The provider's example postbacks for the tests, from the one loader (`local/examples.ts`,
 * which `npm run postback` uses too).
 *
 * @example
 * const body = { ...fixture('n102'), 'tracking-id': 'my-id' };
 */
export { EXAMPLE_NAMES, type ExampleName, loadExample as fixture } from '../../local/examples';
