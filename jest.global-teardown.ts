/** Jest global teardown: stops the DynamoDB Local of `jest.global-setup.ts` (and waits for the java process to exit). */
import './jest.global-setup';

export default async function globalTeardown(): Promise<void> {
  const ddb = globalThis.__DYNAMODB_LOCAL__;
  globalThis.__DYNAMODB_LOCAL__ = undefined;
  await ddb?.stop();
}
