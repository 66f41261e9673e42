/**
 * `tsx scripts/doc-code-blocks.ts <markdown file> <directory>` writes the code blocks of a
 * Markdown file that are marked with the file they hold (`<!-- consumer-test: src/app.ts -->`
 * on the line before the fence) into the directory, under those paths. The consumer test
 * (`scripts/consumer-test.sh`) builds its app from docs/construct.md this way, so that the
 * documented consumer app is exactly what it compiles and synthesizes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const MARKER = /^<!--\s*consumer-test:\s*(\S+)\s*-->\s*$/;

/**
 * The marked code blocks of a Markdown text, by the relative path each is marked with.
 *
 * @throws Error for a marker not followed by a fence, an unclosed block, a path that leaves
 *   the directory, or a path marked twice
 * @example
 * markedCodeBlocks('<!-- consumer-test: a.ts -->\n```ts\nexport {};\n```\n'); // { 'a.ts': 'export {};\n' }
 */
export function markedCodeBlocks(markdown: string): Record<string, string> {
  const lines = markdown.split('\n');
  const out: Record<string, string> = {};
  lines.forEach((line, index) => {
    const marker = MARKER.exec(line);
    if (!marker) return;
    const file = marker[1] as string;
    if (path.isAbsolute(file) || path.normalize(file).startsWith('..')) throw new Error(`line ${index + 1}: ${file} leaves the directory`);
    if (file in out) throw new Error(`line ${index + 1}: ${file} is marked twice`);
    const fence = /^(```|~~~)/.exec(lines[index + 1] ?? '');
    if (!fence) throw new Error(`line ${index + 1}: the marker of ${file} is not followed by a code block`);
    const end = lines.findIndex((text, i) => i > index + 1 && text.startsWith(fence[1] as string));
    if (end === -1) throw new Error(`line ${index + 2}: the code block of ${file} is not closed`);
    out[file] = `${lines.slice(index + 2, end).join('\n')}\n`;
  });
  return out;
}

function main(): void {
  const [markdownFile, directory] = process.argv.slice(2);
  if (!markdownFile || !directory) throw new Error('usage: tsx scripts/doc-code-blocks.ts <markdown file> <directory>');
  const blocks = markedCodeBlocks(readFileSync(markdownFile, 'utf8'));
  if (Object.keys(blocks).length === 0) throw new Error(`${markdownFile} has no marked code block`);
  for (const [file, text] of Object.entries(blocks)) {
    const target = path.join(directory, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text);
    console.log(`doc-code-blocks: ${file} (${text.split('\n').length - 1} lines)`);
  }
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(`doc-code-blocks: ${(error as Error).message}`);
    process.exit(1);
  }
}
