/**
 * Thrown at synth for props that are invalid or conflict with each other.
 *
 * @example
 * new MmsPostbackReceiver(this, 'Postbacks', { leaseSeconds: 5 });
 * // ReceiverPropsError: MmsPostbackReceiver: leaseSeconds (5) must exceed the function timeout (10 s): …
 */
export class ReceiverPropsError extends Error {
  constructor(message: string) {
    super(`MmsPostbackReceiver: ${message}`);
    this.name = 'ReceiverPropsError';
  }
}
