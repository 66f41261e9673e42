/**
 * The tier rule (docs/development.md, "Tests: the unit and integration tiers"): a test that
 * needs DynamoDB Local (Java) or runs another program (a child process: npm, biome, esbuild
 * bundling) is an integration test, named `*.integration.test.ts`; every other `*.test.ts`
 * is a unit test. The unit tier cannot reach DynamoDB Local at run time
 * (test/setup/unit-tier.ts, test/helpers/ddb-table.ts); this test catches, by reading the
 * files, what would only be slow there (a child process, bundling), whoever adds or splits
 * a test file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const TEST_ROOT = path.join(__dirname, '..');

/** What makes a test file an integration test, and how to recognise it in its source. */
const NEEDS_INTEGRATION_TIER: readonly (readonly [string, RegExp])[] = [
  ['runs another program (node:child_process)', /from ['"](node:)?child_process['"]|require\(['"](node:)?child_process['"]\)/],
  ['needs DynamoDB Local (test/helpers/ddb-table)', /from ['"][./]*\/?helpers\/ddb-table['"]|from ['"]\.\/ddb-table['"]/],
  ['needs DynamoDB Local (test/helpers/ingest-harness)', /from ['"][./]*\/?helpers\/ingest-harness['"]/],
  ['starts DynamoDB Local (local/dynamodb-local)', /from ['"][./]*\/local\/dynamodb-local['"]/],
  ['bundles the functions with esbuild (testApp({ bundle: true }))', /bundle:\s*true/],
];

/** Why a unit-tier source belongs in the integration tier (empty when it does not). */
function integrationReasons(source: string): string[] {
  return NEEDS_INTEGRATION_TIER.filter(([, pattern]) => pattern.test(source)).map(([reason]) => reason);
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

describe('the tier rule', () => {
  it('recognises what needs the integration tier, and nothing else', () => {
    expect(integrationReasons("import { spawn } from 'node:child_process';")).toEqual(['runs another program (node:child_process)']);
    expect(integrationReasons("import { createTestTable } from '../helpers/ddb-table';")).toEqual([
      'needs DynamoDB Local (test/helpers/ddb-table)',
    ]);
    expect(integrationReasons("import { startIngestHarness } from '../../helpers/ingest-harness';")).toHaveLength(1);
    expect(integrationReasons("import { startDynamoDbLocal } from '../../local/dynamodb-local';")).toHaveLength(1);
    expect(integrationReasons('const app = testApp({ bundle: true });')).toHaveLength(1);
    expect(integrationReasons("import { fixture } from '../helpers/fixtures';\nconst app = testApp();")).toEqual([]);
  });

  it('holds for every test file: the unit tier needs no Java and runs no other program', () => {
    const misplaced = testFiles(TEST_ROOT)
      // This file names the patterns in its own probes.
      .filter((file) => !file.endsWith('.integration.test.ts') && file !== __filename)
      .flatMap((file) => integrationReasons(readFileSync(file, 'utf8')).map((reason) => `${path.relative(TEST_ROOT, file)}: ${reason}`));
    // Rename each to *.integration.test.ts, or take what it needs out of the unit test.
    expect(misplaced).toEqual([]);
  });
});
