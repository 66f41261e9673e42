/**
 * Masks a phone number to its last 4 digits for logs (`17745550001` -> `*******0001`).
 *
 * @example
 * maskPhone('+17745550001'); // '********0001'
 */
export function maskPhone(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.length <= 4 ? '*'.repeat(value.length) : `${'*'.repeat(value.length - 4)}${value.slice(-4)}`;
}
