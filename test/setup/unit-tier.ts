/**
 * Runs before every unit-tier test file (jest.config.js, `setupFiles`). The unit tier has
 * no DynamoDB Local: no endpoint is inherited (from the shell, or from the integration
 * tier's global setup when `npm test` runs both tiers in the same workers), so a test that
 * needs one fails at once with the message of `test/helpers/ddb-table.ts`, not against
 * whatever the variable pointed to.
 */
delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
// Dummy region and credentials, as the integration tier's global setup sets them: SDK
// clients pointed at the loopback stand-ins (Secrets Manager, EventBridge) sign requests.
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;
// No CloudFormation template validation at synth in the construct tests: aws-cdk-lib's
// built-in validation plugin (WebAssembly) costs about 2 s of CPU per test file, two
// thirds of a construct test. test/lib/template-validation.integration.test.ts runs it.
process.env.CDK_VALIDATION = 'false';
