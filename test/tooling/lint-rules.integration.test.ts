import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const BIOME = path.join(ROOT, 'node_modules', '.bin', 'biome');

const PROBES: Record<string, string> = {
  plain: "it('runs', () => {\n  expect(1).toBe(1);\n});\n",
  'focused-test': "it.only('runs', () => {\n  expect(1).toBe(1);\n});\n",
  'focused-suite': "describe.only('suite', () => {\n  it('runs', () => {\n    expect(1).toBe(1);\n  });\n});\n",
  'skipped-test': "it.skip('runs', () => {\n  expect(1).toBe(1);\n});\n",
};

describe('lint rules for tests on main (npm run lint)', () => {
  it('fails on focused and skipped tests, and only on them', () => {
    // Probe files inside test/, so that the project's biome.json applies to them.
    const dir = mkdtempSync(path.join(__dirname, 'probe-'));
    try {
      for (const [name, source] of Object.entries(PROBES)) writeFileSync(path.join(dir, `${name}.test.ts`), source);
      const run = spawnSync(BIOME, ['lint', '--max-diagnostics=50', path.relative(ROOT, dir)], { cwd: ROOT, encoding: 'utf8' });
      const output = `${run.stdout}${run.stderr}`;
      expect(run.status).not.toBe(0);
      expect(output).toMatch(/focused-test\.test\.ts:\d+:\d+ lint\/suspicious\/noFocusedTests/);
      expect(output).toMatch(/focused-suite\.test\.ts:\d+:\d+ lint\/suspicious\/noFocusedTests/);
      expect(output).toMatch(/skipped-test\.test\.ts:\d+:\d+ lint\/suspicious\/noSkippedTests/);
      expect(output).not.toMatch(/plain\.test\.ts/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
