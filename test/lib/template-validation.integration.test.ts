/**
 * The CloudFormation template validation that `cdk synth` runs (aws-cdk-lib's built-in
 * validation plugin, with `@aws-cdk/core:validateAgainstDefaultRules` from cdk.json, so
 * that a violation fails the synth), on the stack's configurations. The unit tier turns
 * that validation off for speed (test/setup/unit-tier.ts); this test keeps it covered.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MmsPostbacksStack } from '../../lib/mms-postbacks-stack';
import { readStackContext } from '../../lib/stack-context';
import { testApp } from './helpers';

const ENV = { account: '123456789012', region: 'eu-west-1' };

describe('the synthesized templates pass the CloudFormation validation of cdk synth', () => {
  it.each([
    ['the defaults (REST API)', {}],
    ['an HTTP API', { apiType: 'http' }],
  ])('%s', (_name, context) => {
    expect(process.env.CDK_VALIDATION).not.toBe('false');
    const app = testApp({ context });
    new MmsPostbacksStack(app, 'S', { env: ENV, config: readStackContext(app.node) });

    const assembly = app.synth();

    // Written only when the validation ran; a violation would have failed the synth above.
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  });
});
