/**
 * `npx tsx scripts/check-docs.ts` checks the documentation (run by `.ci/run`):
 * - every docs/*.md page is linked from README.md;
 * - every relative link in README.md and docs/*.md resolves to a file of the repository,
 *   and its `#anchor`, if any, to a heading of the target Markdown file (GitHub's slugs);
 * - every `npm start`, `npm test` and `npm run <script>` in README.md and docs/*.md names a
 *   script of package.json;
 * - every `npm run postback -- …` in their code blocks is accepted by the helper's own argument
 *   parser (`local/postback.ts`), and every `--data @file` of a `curl` in README.md names a file
 *   that exists.
 * - README, docs/ and the sources (comments, texts) do not refer to documents or issues outside
 *   the repository;
 * - every figure marked `<!-- figure: name -->` in README.md and docs/ equals the one the code
 *   determines (`scripts/doc-figures.ts`: counts from the example stack's template, synthesized
 *   in process; bundle sizes from `dist/functions/`, written by `npm run build`), and the
 *   figures of {@link REQUIRED_FIGURES} are marked somewhere.
 * Exit code 1, with one line per problem, when something does not hold.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parsePostbackArgs } from '../local/postback';
import { computeFigures, type Figures } from './doc-figures';

export interface DocProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** The Markdown files checked: README.md and every `.md` under docs/. */
export function documentationFiles(root: string): string[] {
  const docs = path.join(root, 'docs');
  const inDocs = existsSync(docs)
    ? readdirSync(docs)
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => path.join(docs, name))
    : [];
  return [path.join(root, 'README.md'), ...inDocs];
}

/** Removes fenced code blocks (keeping line numbers), so that code is not read as links. */
function withoutCodeBlocks(markdown: string): string {
  let inFence = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        inFence = !inFence;
        return '';
      }
      return inFence ? '' : line;
    })
    .join('\n');
}

/** The fenced code blocks' lines, with their line numbers (1-based). */
function codeBlockLines(markdown: string): Array<{ text: string; line: number }> {
  let inFence = false;
  const out: Array<{ text: string; line: number }> = [];
  markdown.split('\n').forEach((text, index) => {
    if (/^\s*(```|~~~)/.test(text)) inFence = !inFence;
    else if (inFence) out.push({ text, line: index + 1 });
  });
  return out;
}

/**
 * The anchor GitHub gives a heading (github-slugger): lower case, inline code and emphasis
 * marks dropped, punctuation other than `-` and `_` removed, spaces turned into `-`.
 */
export function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor of a Markdown document, with GitHub's `-1`, `-2` suffixes for repeated headings. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of withoutCodeBlocks(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1] as string);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.add(count === 0 ? base : `${base}-${count}`);
  }
  return out;
}

/** Relative links (`[text](target)`) of a Markdown document, outside code, with line numbers. */
export function relativeLinks(markdown: string): Array<{ target: string; line: number }> {
  const out: Array<{ target: string; line: number }> = [];
  withoutCodeBlocks(markdown)
    .split('\n')
    .forEach((text, index) => {
      const withoutInlineCode = text.replace(/`[^`]*`/g, '');
      for (const match of withoutInlineCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
        const target = match[1] as string;
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
        out.push({ target, line: index + 1 });
      }
    });
  return out;
}

/** Problems with the relative links of one Markdown file. */
export function checkLinks(file: string, root: string): DocProblem[] {
  const markdown = readFileSync(file, 'utf8');
  const problems: DocProblem[] = [];
  const relative = path.relative(root, file);
  for (const { target, line } of relativeLinks(markdown)) {
    const [rawPath, anchor] = target.split('#', 2) as [string, string | undefined];
    const targetFile = rawPath === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(rawPath));
    if (!targetFile.startsWith(root + path.sep) && targetFile !== root) {
      problems.push({ file: relative, line, message: `link ${target} leaves the repository` });
      continue;
    }
    if (!existsSync(targetFile)) {
      problems.push({ file: relative, line, message: `link ${target}: ${path.relative(root, targetFile)} does not exist` });
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (statSync(targetFile).isDirectory() || !targetFile.endsWith('.md')) {
      problems.push({ file: relative, line, message: `link ${target}: an anchor needs a Markdown file` });
      continue;
    }
    if (!anchors(readFileSync(targetFile, 'utf8')).has(anchor)) {
      problems.push({
        file: relative,
        line,
        message: `link ${target}: no heading with the anchor #${anchor} in ${path.relative(root, targetFile)}`,
      });
    }
  }
  return problems;
}

/**
 * The npm scripts that a Markdown document tells people to run: `npm start`, `npm test`,
 * `npm run <name>` (in code blocks and inline code), with line numbers.
 */
export function npmScriptsUsed(markdown: string): Array<{ script: string; line: number }> {
  const out: Array<{ script: string; line: number }> = [];
  const scan = (text: string, line: number) => {
    for (const match of text.matchAll(/\bnpm\s+(?:run(?:-script)?\s+([\w:.-]+)|(start|test|stop|restart)\b)/g)) {
      out.push({ script: (match[1] ?? match[2]) as string, line });
    }
  };
  for (const { text, line } of codeBlockLines(markdown)) scan(text, line);
  withoutCodeBlocks(markdown)
    .split('\n')
    .forEach((text, index) => {
      for (const code of text.matchAll(/`([^`]+)`/g)) scan(code[1] as string, index + 1);
    });
  return out;
}

/** Problems with the npm commands of one Markdown file. */
export function checkScripts(file: string, root: string, scripts: Readonly<Record<string, string>>): DocProblem[] {
  const relative = path.relative(root, file);
  return npmScriptsUsed(readFileSync(file, 'utf8'))
    .filter(({ script }) => !(script in scripts))
    .map(({ script, line }) => ({
      file: relative,
      line,
      message: `npm ${script === 'start' || script === 'test' ? script : `run ${script}`}: package.json has no script "${script}"`,
    }));
}

/** Splits a shell command line into words (single and double quotes; no expansion), up to a `#` comment. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else word = (word ?? '') + ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word = word ?? '';
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (ch === '#' && word === undefined) {
      break;
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** Problems with the commands of one Markdown file's code blocks that run in this repository. */
export function checkCommands(file: string, root: string): DocProblem[] {
  const relative = path.relative(root, file);
  const problems: DocProblem[] = [];
  // A command continued with a trailing backslash is read as one line (reported at its first).
  const commands: Array<{ text: string; line: number }> = [];
  let continued: { text: string; line: number } | undefined;
  for (const { text, line } of codeBlockLines(readFileSync(file, 'utf8'))) {
    const current: { text: string; line: number } = continued
      ? { text: `${continued.text} ${text}`, line: continued.line }
      : { text, line };
    continued = /\\\s*$/.test(text) ? { text: current.text.replace(/\\\s*$/, ''), line: current.line } : undefined;
    if (!continued) commands.push(current);
  }
  for (const { text, line } of commands) {
    const postback = /\bnpm run postback -- (.*)$/.exec(text);
    if (postback) {
      try {
        // Up to the end of this command (`&&`, `||`, `;` or `|` ends it).
        const words = shellWords((postback[1] as string).split(/\s(?:&&|\|\||;|\|)\s/)[0] as string);
        // Placeholders (`<PostbackUrl>`, `$SECRET`) stand for a value of the right form.
        const filled = words.map((word, i) =>
          /^<[^>]+>$|^\$\{?[A-Z_]+\}?$/.test(word)
            ? words[i - 1] === '--url'
              ? 'https://example.com/prod/postbacks'
              : 'placeholder'
            : word,
        );
        parsePostbackArgs(filled, {});
      } catch (error) {
        problems.push({ file: relative, line, message: `npm run postback: ${(error as Error).message}` });
      }
    }
    // The tour's curl commands run in a clone: the files they post must be there.
    if (relative !== 'README.md') continue;
    for (const data of text.matchAll(/--data(?:-binary)?\s+@(\S+)/g)) {
      if (!existsSync(path.join(root, data[1] as string))) {
        problems.push({ file: relative, line, message: `curl --data @${data[1]}: no such file in the repository` });
      }
    }
  }
  return problems;
}

/** docs/ pages that README.md does not link to (every page must be reachable from it). */
export function checkReachable(root: string): DocProblem[] {
  const readme = path.join(root, 'README.md');
  const linked = new Set(
    relativeLinks(readFileSync(readme, 'utf8')).map(({ target }) => path.resolve(root, decodeURIComponent(target.split('#')[0] as string))),
  );
  return documentationFiles(root)
    .filter((file) => file !== readme && !linked.has(file))
    .map((file) => ({ file: 'README.md', line: 1, message: `no link to ${path.relative(root, file)}` }));
}

/** The folders whose code comments and texts must speak of the project only. */
export const PROJECT_TEXT_ROOTS = [
  'README.md',
  'docs',
  'lambda',
  'lib',
  'bin',
  'local',
  'stand-ins',
  'loadtest',
  'bench',
  'test',
  'scripts',
  '.ci',
];

/** A reference to a document or an issue tracker outside the repository. */
const OUTSIDE_REFERENCE = /\bDES[I]GN\b(\.md)?|\b[Ii]ssue #?[0-9]+/;

/**
 * References to documents or issues outside the repository (a design document, an issue number) in the
 * docs and in the sources' comments and texts: these speak of the project only.
 */
export function checkOutsideReferences(root: string, roots: readonly string[] = PROJECT_TEXT_ROOTS): DocProblem[] {
  const problems: DocProblem[] = [];
  const visit = (file: string) => {
    const stat = statSync(file, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      const name = path.basename(file);
      if (name === 'node_modules' || name === 'fixtures' || name === 'generated' || name === 'results') return;
      for (const entry of readdirSync(file).sort()) visit(path.join(file, entry));
      return;
    }
    if (!/\.(ts|mts|js|mjs|md|sh)$|^run$/.test(path.basename(file))) return;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, index) => {
        const match = OUTSIDE_REFERENCE.exec(text);
        if (match)
          problems.push({ file: path.relative(root, file), line: index + 1, message: `refers outside the repository: "${match[0]}"` });
      });
  };
  for (const entry of roots) visit(path.join(root, entry));
  return problems;
}

/** A figure marker: an HTML comment right after the figure, `11 alarms<!-- figure: alarms -->`. */
const FIGURE_MARKER = /<!--\s*figure:\s*([\w:.-]+)\s*-->/g;

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

/**
 * The figure written right before a marker: the last number of the text (`11`, `$1.10`,
 * `524 KB`, `1,375`, or a number word up to twelve), ignoring Markdown emphasis and code marks.
 *
 * @example
 * figureBefore('about **$1.10'); // 1.1
 * figureBefore('Five log groups'); // 5
 */
export function figureBefore(text: string): number | undefined {
  const trimmed = text.replace(/[\s*`_]+$/, '');
  const match = /(?:\$?(\d[\d,]*(?:\.\d+)?)(?:\s*(?:KB|kB|B|%|ms|s))?|\b([A-Za-z]+))$/.exec(trimmed);
  if (!match) return undefined;
  if (match[1] !== undefined) return Number(match[1].replace(/,/g, ''));
  const word = NUMBER_WORDS.indexOf((match[2] as string).toLowerCase());
  return word === -1 ? undefined : word;
}

/** The figures every documentation must mark at least once, so that removing a marker does not silence a check. */
export const REQUIRED_FIGURES = ['alarms', 'alarms-usd-month', 'retained-log-groups', 'bundle-kb:ingest', 'bundle-kb:query'] as const;

/** The figures marked in one Markdown text, with their documented values and lines. */
export function markedFigures(markdown: string): Array<{ name: string; documented: number | undefined; line: number }> {
  const out: Array<{ name: string; documented: number | undefined; line: number }> = [];
  // Markers in code (fenced blocks, inline code) are examples, not markers.
  withoutCodeBlocks(markdown)
    .split('\n')
    .forEach((line, index) => {
      const text = line.replace(/`[^`]*`/g, (code) => ' '.repeat(code.length));
      for (const match of text.matchAll(FIGURE_MARKER)) {
        out.push({ name: match[1] as string, documented: figureBefore(text.slice(0, match.index)), line: index + 1 });
      }
    });
  return out;
}

/**
 * Problems with the marked figures of README.md and docs/: a documented value that differs from
 * the computed one (beyond its tolerance), a marker with no number before it or of an unknown
 * figure, and a figure of {@link REQUIRED_FIGURES} marked nowhere.
 */
export function checkFigures(root: string, figures: Figures, required: readonly string[] = REQUIRED_FIGURES): DocProblem[] {
  const problems: DocProblem[] = [];
  const seen = new Set<string>();
  for (const file of documentationFiles(root)) {
    const relative = path.relative(root, file);
    for (const { name, documented, line } of markedFigures(readFileSync(file, 'utf8'))) {
      seen.add(name);
      const figure = figures[name];
      if (figure === undefined) {
        const hint = name.startsWith('bundle-kb:') ? ' (bundle sizes come from dist/functions/: run npm run build first)' : '';
        problems.push({ file: relative, line, message: `figure ${name}: not a figure the code determines${hint}` });
      } else if (documented === undefined) {
        problems.push({ file: relative, line, message: `figure ${name}: no number right before the marker` });
      } else if (Math.abs(documented - figure.value) > figure.tolerance * figure.value + 1e-9) {
        const shown = figure.tolerance === 0 ? String(figure.value) : figure.value.toFixed(1);
        problems.push({
          file: relative,
          line,
          message: `figure ${name} is stale: the docs say ${documented}, the code gives ${shown} (${figure.source})`,
        });
      }
    }
  }
  for (const name of required) {
    if (!seen.has(name)) problems.push({ file: 'docs/', line: 1, message: `figure ${name} is marked nowhere (<!-- figure: ${name} -->)` });
  }
  return problems;
}

/** Every problem of the repository's documentation. */
export function checkDocs(root: string): DocProblem[] {
  const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  return documentationFiles(root)
    .flatMap((file) => [...checkLinks(file, root), ...checkScripts(file, root, scripts), ...checkCommands(file, root)])
    .concat(checkReachable(root))
    .concat(checkOutsideReferences(root));
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  const figures = computeFigures(root);
  const problems = [...checkDocs(root), ...checkFigures(root, figures)];
  for (const p of problems) console.error(`${p.file}:${p.line}: ${p.message}`);
  if (problems.length > 0) {
    console.error(`check-docs: ${problems.length} problem(s)`);
    process.exit(1);
  }
  console.log(
    `check-docs: ${documentationFiles(root).length} files: links, npm scripts, commands OK; no references outside the repository; ${Object.keys(figures).length} figures computed, every marked figure right`,
  );
}
