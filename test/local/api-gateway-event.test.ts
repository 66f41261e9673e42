import { lambdaContext } from '../../local/api-gateway-event';

describe('lambdaContext', () => {
  it("carries the deployed functions' memory and a remaining time within the given timeout", () => {
    const context = lambdaContext('StatusUnknownSweepFunction', '1b4e28ba-2fa1-11d2-883f-0016d3cca427', 60_000);
    expect(context).toEqual(
      expect.objectContaining({
        functionName: 'StatusUnknownSweepFunction',
        memoryLimitInMB: '512',
        awsRequestId: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
        logStreamName: 'local/[$LATEST]1b4e28ba2fa111d2883f0016d3cca427',
      }),
    );
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(60_000);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(30_000);
  });
});
