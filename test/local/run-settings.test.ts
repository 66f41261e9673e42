import path from 'node:path';
import { DEFAULT_SECRET, LOCAL_NAME, localRunSettings } from '../../local/local-run';

describe('localRunSettings: what npm start and the fault load test read from the environment', () => {
  it('defaults: the given port, a free DynamoDB port, .local, the local secret and names, the contract event source', () => {
    expect(localRunSettings({}, 3000)).toEqual({
      port: 3000,
      dynamoDbPort: undefined,
      localDir: path.resolve(__dirname, '..', '..', '.local'),
      secret: DEFAULT_SECRET,
      tableName: LOCAL_NAME,
      eventBusName: LOCAL_NAME,
      eventSource: 'mms.postbacks',
    });
  });

  it('reads every variable, trimmed', () => {
    const env = {
      PORT: '3001',
      DYNAMODB_PORT: '8001',
      LOCAL_DIR: '/tmp/run',
      POSTBACK_SECRET: ' s3cret ',
      TABLE_NAME: 't',
      EVENT_BUS_NAME: 'b',
      EVENT_SOURCE: 'acme.mms',
    };
    expect(localRunSettings(env, 3000)).toEqual({
      port: 3001,
      dynamoDbPort: 8001,
      localDir: '/tmp/run',
      secret: 's3cret',
      tableName: 't',
      eventBusName: 'b',
      eventSource: 'acme.mms',
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DYNAMODB_PORT', '1.5'],
  ])('%s=%s is refused with a message naming it', (name, value) => {
    let error: unknown;
    try {
      localRunSettings({ [name]: value }, 0);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toMatchObject({
      name: 'LocalEnvironmentError',
      message: `${name} must be a port number from 1 to 65535, got "${value}"`,
    });
  });
});
