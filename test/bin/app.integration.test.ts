import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cdkJsonContext } from '../lib/helpers';

// Integration tier: runs bin/app.ts as `cdk synth` does (another program), bundling the functions with esbuild.
const ROOT = path.join(__dirname, '..', '..');

function synth(env: Record<string, string> = {}): { stderr: string; stdout: string; status: number | null } {
  const outdir = mkdtempSync(path.join(tmpdir(), 'app-synth-'));
  try {
    return spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['bin/app.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        // What the CLI passes (`cdk synth --quiet` passes the same): cdk.json's context, every stack bundled.
        CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(), 'aws:cdk:bundling-stacks': ['**'] }),
        ...env,
      },
      encoding: 'utf8',
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

test('a synth prints no bundler output: only the annotations the CLI shows', () => {
  const run = synth();
  expect(run.status).toBe(0);
  expect(run.stderr).not.toMatch(/Bundling asset|index\.mjs|Done in/);
  expect(run.stdout).not.toMatch(/Bundling asset|index\.mjs|Done in/);
});
