import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ATTRIBUTE } from '../../lambda/table/attributes';
import { KEYS } from '../../lambda/table/keys';
import { CLIENT_REFERENCE_INDEX, STATUS_DUE } from '../../lambda/table/table-definition';

/**
 * The stored names (key prefixes, index names, the storage attributes) are spelled only in
 * `lambda/table/`: every other source imports them, so that a rename is one edit and a test
 * that pins them (`test/lambda/stored-facts.test.ts`) covers every use. This test reads the
 * sources outside `lambda/table/` (comments left out) and fails on a string literal that
 * spells one of them.
 */

const ROOT = path.join(__dirname, '..', '..');
const SOURCE_DIRS = ['lambda', 'lib', 'bench', 'local', 'loadtest', 'scripts', 'stand-ins', 'bin'];
const OWNER = `lambda${path.sep}table${path.sep}`;

/** Names that only the storage uses (the detail fields a state also holds keep the domain's names). */
const STORED_NAMES = [
  ATTRIBUTE.partitionKey,
  ATTRIBUTE.sortKey,
  ATTRIBUTE.expiresAt,
  ATTRIBUTE.instantKey,
  ATTRIBUTE.precedence,
  ATTRIBUTE.catalogRank,
  ATTRIBUTE.clientReferenceKey,
  ATTRIBUTE.clientReferenceSortKey,
  ATTRIBUTE.statusDueShard,
  ATTRIBUTE.statusDueAt,
  ATTRIBUTE.statusWaitStartedAt,
  ATTRIBUTE.bodyBytes,
  KEYS.stateSortKey,
  CLIENT_REFERENCE_INDEX.indexName,
  STATUS_DUE.indexName,
];
const PREFIXES = [KEYS.messagePrefix, KEYS.historyPrefix, KEYS.rejectedPrefix];

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** The stored names a source text spells as a string literal (or a literal's start, for a prefix). */
function spelledStoredNames(text: string): string[] {
  const code = withoutComments(text);
  const found = STORED_NAMES.filter((name) => new RegExp(`['"\`]${name}['"\`]`).test(code));
  const prefixes = PREFIXES.filter((prefix) => new RegExp(`['"\`]${prefix}`).test(code));
  return [...found, ...prefixes];
}

function sourceFiles(): string[] {
  return SOURCE_DIRS.flatMap((dir) =>
    readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' }).map((file) => path.join(dir, file)),
  ).filter((file) => /\.(ts|mjs)$/.test(file) && !file.startsWith(OWNER) && !file.includes(`${path.sep}generated${path.sep}`));
}

describe('stored names are spelled only in lambda/table/', () => {
  it('finds a spelled key prefix, attribute or index name, and not one in a comment (the check can fail)', () => {
    expect(spelledStoredNames("const key = `MSG#` + id; // 'STATE'\nconst index = 'byStatusDue';")).toEqual(['byStatusDue', 'MSG#']);
    expect(spelledStoredNames("/** under `REJECTED#<day>` in 'pk' */\nconst x = 1;")).toEqual([]);
  });

  it('no other source spells one', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(50);
    const spelled = files.flatMap((file) =>
      spelledStoredNames(readFileSync(path.join(ROOT, file), 'utf8')).map((name) => `${file}: ${name}`),
    );
    expect(spelled).toEqual([]);
  });
});
