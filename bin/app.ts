#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MmsPostbacksStack } from '../lib/mms-postbacks-stack';
import { ReceiverPropsError } from '../lib/receiver-props-error';
import { ContextError, readStackContext } from '../lib/stack-context';
import { dropAssetBundlingProgress } from '../lib/synth-progress';

// `cdk synth --quiet` prints warnings, errors and annotations only; `cdk synth --debug` shows the bundling progress too.
if (process.env.CDK_DEBUG !== 'true') dropAssetBundlingProgress(process.stderr);
const app = new App();
try {
  const config = readStackContext(app.node);
  new MmsPostbacksStack(app, config.stackName ?? 'MmsPostbacksStack', {
    description: 'MMS postback receiver: API Gateway -> Lambda -> DynamoDB + EventBridge',
    // Environment-agnostic unless the CLI knows an account and region, so that synth works offline.
    env:
      process.env.CDK_DEFAULT_ACCOUNT && process.env.CDK_DEFAULT_REGION
        ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
        : undefined,
    config,
  });
} catch (error) {
  // An unknown key or a wrong value: one clear line instead of a stack trace, and a failed synth.
  if (!(error instanceof ContextError || error instanceof ReceiverPropsError)) throw error;
  console.error(error.message);
  process.exit(1);
}
// cdk-nag 3 (a CDK policy-validation plugin): any unacknowledged AwsSolutions finding fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
