import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  anchors,
  checkDocs,
  checkFigures,
  figureBefore,
  markedFigures,
  npmScriptsUsed,
  relativeLinks,
  shellWords,
  slug,
} from '../../scripts/check-docs';
import { codeFigures, exampleStackTemplate, type Figures, templateFigures } from '../../scripts/doc-figures';

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

  describe('figures', () => {
    test.each([
      ['11', 11],
      ['| 11', 11],
      ['about **$1.10', 1.1],
      ['| ingest | 525 KB', 525],
      ['1,375 tests: `5`', 5],
      ['Five', 5],
      ['three', 3],
      ['no number here', undefined],
    ])('the figure before a marker in %j is %p', (text, expected) => {
      expect(figureBefore(text)).toBe(expected);
    });

    test('markers are found with their figure and line', () => {
      expect(markedFigures('a\n| 11<!-- figure: alarms --> alarms | $1.10<!-- figure: alarms-usd-month --> |\n')).toEqual([
        { name: 'alarms', documented: 11, line: 2 },
        { name: 'alarms-usd-month', documented: 1.1, line: 2 },
      ]);
    });

    describe('on a tree with a planted stale figure', () => {
      let root: string;
      const figures: Figures = {
        alarms: { value: 11, source: 'AWS::CloudWatch::Alarm resources in the template of S', tolerance: 0 },
        'bundle-kb:ingest': { value: 524.656, source: 'dist/functions/ingest/index.mjs, 524,656 B (npm run build)', tolerance: 0.02 },
      };
      beforeAll(() => {
        root = mkdtempSync(path.join(tmpdir(), 'check-figures-'));
        mkdirSync(path.join(root, 'docs'));
        writeFileSync(path.join(root, 'README.md'), '# R\nIt has 11<!-- figure: alarms --> alarms.\n');
        writeFileSync(
          path.join(root, 'docs', 'cost.md'),
          [
            '# Cost',
            '| 8<!-- figure: alarms --> CloudWatch alarms |',
            'The ingest bundle is 448 KB<!-- figure: bundle-kb:ingest -->, or about 520 KB<!-- figure: bundle-kb:ingest -->.',
            'Some<!-- figure: alarms --> and 3<!-- figure: widgets -->.',
          ].join('\n'),
        );
      });
      afterAll(() => rmSync(root, { recursive: true, force: true }));

      test('the stale figures fail, with the documented and the computed value; figures within tolerance pass', () => {
        expect(checkFigures(root, figures, ['alarms', 'event-schemas']).map((p) => `${p.file}:${p.line}: ${p.message}`)).toEqual([
          'docs/cost.md:2: figure alarms is stale: the docs say 8, the code gives 11 (AWS::CloudWatch::Alarm resources in the template of S)',
          'docs/cost.md:3: figure bundle-kb:ingest is stale: the docs say 448, the code gives 524.7 (dist/functions/ingest/index.mjs, 524,656 B (npm run build))',
          'docs/cost.md:4: figure alarms: no number right before the marker',
          'docs/cost.md:4: figure widgets: not a figure the code determines',
          'docs/:1: figure event-schemas is marked nowhere (<!-- figure: event-schemas -->)',
        ]);
      });
    });

    test("the repository's marked figures equal the synthesized example stack's (bundle sizes: npm run check-docs, after npm run build)", () => {
      const figures = { ...templateFigures(exampleStackTemplate(REPO)), ...codeFigures() };
      const problems = checkFigures(REPO, figures).filter((p) => !p.message.startsWith('figure bundle-kb:'));
      expect(problems).toEqual([]);
      // The figures come from the template: this one has alarms, functions and retained log groups.
      expect(figures.alarms?.value).toBeGreaterThan(0);
      expect(figures['retained-log-groups']?.value).toBeGreaterThan(0);
    });
  });
});
