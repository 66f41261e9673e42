import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CONTEXT_KEYS } from '../../lib/stack-context';

// Integration tier: runs bin/app.ts as `cdk synth` does (another program).
test('bin/app.ts prints a context error as one line, with no stack trace, and fails', () => {
  const root = path.join(__dirname, '..', '..');
  const run = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['bin/app.ts'], {
    cwd: root,
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify({ secretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:a-AbCdEf', secretName: 'b' }),
    },
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('CDK context "secretName": give either secretArn (existing secret) or secretName (new secret), not both\n');
  expect(run.status).toBe(1);
});

test('bin/app.ts refuses a context key it does not know (-c allowedCidrs=…), listing the known keys, and fails', () => {
  const root = path.join(__dirname, '..', '..');
  const run = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['bin/app.ts'], {
    cwd: root,
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ allowedCidrs: '203.0.113.0/24', '@aws-cdk/core:checkSecretUsage': true }) },
    encoding: 'utf8',
  });
  expect(run.stderr).toBe(`CDK context "allowedCidrs": unknown key; Known keys: ${Object.keys(CONTEXT_KEYS).join(', ')}\n`);
  expect(run.status).toBe(1);
});
