import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { anchors, checkDocs, npmScriptsUsed, relativeLinks, shellWords, slug } from '../../scripts/check-docs';

const REPO = path.join(__dirname, '..', '..');
// Spelled in pieces, so that this file does not trip the check itself.
const OUTSIDE = [['DES', 'IGN.md'].join(''), ['issue', '6'].join(' ')];

describe('check-docs', () => {
  test("the repository's README and docs/ pass", () => {
    expect(checkDocs(REPO)).toEqual([]);
  });

  test.each([
    ['`POST /postbacks` (the provider calls this)', 'post-postbacks-the-provider-calls-this'],
    ['Latest state, idempotency and "nothing lost"', 'latest-state-idempotency-and-nothing-lost'],
    ["Reading a message's state", 'reading-a-messages-state'],
    ['Configuration (CDK context)', 'configuration-cdk-context'],
    ['G1 — nothing lost', 'g1--nothing-lost'],
  ])('GitHub slug of %j is %s', (heading, expected) => {
    expect(slug(heading)).toBe(expected);
  });

  test('repeated headings get -1, -2; headings in code blocks do not count', () => {
    const found = anchors('# A\n## Notes\n```sh\n# not a heading\n```\n## Notes\n## Notes\n');
    expect([...found]).toEqual(['a', 'notes', 'notes-1', 'notes-2']);
  });

  test('links in code are not links; absolute URLs are skipped', () => {
    const markdown = '[a](docs/a.md) `[b](b.md)` [c](https://example.com)\n```md\n[d](d.md)\n```\n[e](#top)';
    expect(relativeLinks(markdown)).toEqual([
      { target: 'docs/a.md', line: 1 },
      { target: '#top', line: 5 },
    ]);
  });

  test('npm commands are found in code blocks and inline code', () => {
    const markdown =
      '```sh\nnpm ci && npm start\nnpm run postback -- n101\n```\nRun `npm test` or `npm run bench -- --quick`; npm run prose is not read.';
    expect(npmScriptsUsed(markdown).map((s) => s.script)).toEqual(['start', 'postback', 'test', 'bench']);
  });

  test('shell words: quotes, spaces, comments', () => {
    expect(shellWords(`n101 --url https://x/postbacks --secret '…' "a b"   # any deployment`)).toEqual([
      'n101',
      '--url',
      'https://x/postbacks',
      '--secret',
      '…',
      'a b',
    ]);
  });

  describe('on a broken tree', () => {
    let root: string;
    beforeAll(() => {
      root = mkdtempSync(path.join(tmpdir(), 'check-docs-'));
      mkdirSync(path.join(root, 'docs'));
      writeFileSync(path.join(root, 'package.json'), JSON.stringify({ scripts: { start: 'x', postback: 'y' } }));
      writeFileSync(
        path.join(root, 'README.md'),
        [
          '# Title',
          '[ok](docs/a.md#section-one) [missing file](docs/nope.md) [bad anchor](docs/a.md#section-two)',
          '```sh',
          'npm start && npm run postback -- n101 && npm run gone',
          'npm run postback -- n999 --auth basic',
          'npm run postback -- n102 --auth digest',
          'npm run postback -- n101 --url "<PostbackUrl>" --secret "$SECRET" --auth query',
          'curl -s -X POST http://127.0.0.1:3000/postbacks --data @test/fixtures/n101.json --data @missing.json',
          'npm run postback -- n101 \\',
          '  --auth digest',
          '```',
          '[self](#title) [self broken](#nothing)',
        ].join('\n'),
      );
      mkdirSync(path.join(root, 'test', 'fixtures'), { recursive: true });
      writeFileSync(path.join(root, 'test', 'fixtures', 'n101.json'), '{}');
      writeFileSync(path.join(root, 'docs', 'b.md'), '# B, linked from nowhere\n');
      writeFileSync(
        path.join(root, 'docs', 'a.md'),
        `# A\n## Section one\n[up](../README.md#title) [out](../../elsewhere.md)\nAs ${OUTSIDE[0]} says.\n`,
      );
      mkdirSync(path.join(root, 'lib'));
      writeFileSync(path.join(root, 'lib', 'x.ts'), `export const x = 1;\n// the budget of ${OUTSIDE[1]}\n`);
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    test('every broken link, anchor and script is reported, with its line', () => {
      const problems = checkDocs(root).map((p) => `${p.file}:${p.line}: ${p.message}`);
      expect(problems).toEqual([
        'README.md:2: link docs/nope.md: docs/nope.md does not exist',
        'README.md:2: link docs/a.md#section-two: no heading with the anchor #section-two in docs/a.md',
        'README.md:12: link #nothing: no heading with the anchor #nothing in README.md',
        'README.md:4: npm run gone: package.json has no script "gone"',
        'README.md:5: npm run postback: unknown example "n999": use one of n101, n102, e102, n003, n401',
        'README.md:6: npm run postback: --auth must be header, basic or query, got "digest"',
        'README.md:8: curl --data @missing.json: no such file in the repository',
        'README.md:9: npm run postback: --auth must be header, basic or query, got "digest"',
        'docs/a.md:3: link ../../elsewhere.md leaves the repository',
        'README.md:1: no link to docs/b.md',
        `docs/a.md:4: refers outside the repository: "${OUTSIDE[0]}"`,
        `lib/x.ts:2: refers outside the repository: "${OUTSIDE[1]}"`,
      ]);
    });
  });
});
