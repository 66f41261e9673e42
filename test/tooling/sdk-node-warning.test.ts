/**
 * The test run is on Node 20 by design: the AWS SDK's Node-version warning is off for both
 * tiers (jest.config.js).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

describe("the AWS SDK's Node-version warning in the test run", () => {
  it('creating a client prints no NodeVersionSupportWarning', () => {
    const emitted: string[] = [];
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error) => {
      emitted.push(String(warning));
    });
    try {
      new DynamoDBClient({ region: 'us-east-1' }).destroy();
    } finally {
      spy.mockRestore();
    }

    expect(emitted.filter((warning) => warning.includes('NodeVersionSupportWarning'))).toEqual([]);
  });
});
