/**
 * Thrown at synth for props that are invalid or conflict with each other.
 *
 * @example
 * new MmsPostbackReceiver(this, 'Postbacks', { throttlingRateLimit: 0 });
 * // ReceiverPropsError: MmsPostbackReceiver: throttlingRateLimit must be a positive number, got 0
 */
export class ReceiverPropsError extends Error {
  constructor(message: string) {
    super(`MmsPostbackReceiver: ${message}`);
    this.name = 'ReceiverPropsError';
  }
}
