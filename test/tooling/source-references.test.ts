import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Comments point readers to other files (`http/middlewares.ts`, `loadtest/checks.ts`): a
 * pointer to a file that was moved or renamed sends the reader nowhere. Every backquoted
 * path in the sources must name a file that exists, relative to the commenting file's
 * directory, to `lambda/`, or to the repository root.
 */

const ROOT = path.join(__dirname, '..', '..');
const SOURCE_DIRS = ['lambda', 'lib', 'bench', 'local', 'loadtest', 'scripts', 'stand-ins', 'test', 'bin'];
const REFERENCE = /`((?:[\w.-]+\/)*[\w-][\w.-]*\.(?:ts|mjs|js|json|md|sh))`/g;

function sourceFiles(): string[] {
  return SOURCE_DIRS.flatMap((dir) =>
    readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' }).map((file) => path.join(dir, file)),
  )
    .filter((file) => /\.(ts|mjs|sh)$/.test(file) && !file.includes('/generated/'))
    .filter((file) => file !== path.relative(ROOT, __filename)); // this file plants a dangling reference
}

/** The backquoted file paths of a source text that resolve nowhere. */
function danglingReferences(file: string, text: string): string[] {
  const bases = [path.dirname(path.join(ROOT, file)), path.join(ROOT, 'lambda'), ROOT];
  const dangling: string[] = [];
  for (const [, reference] of text.matchAll(REFERENCE)) {
    if (reference === undefined || reference.startsWith('.d.')) continue;
    if (!bases.some((base) => existsSync(path.join(base, reference)))) dangling.push(reference);
  }
  return dangling;
}

describe('file references in source comments', () => {
  it('finds a dangling reference (the check can fail)', () => {
    expect(danglingReferences('lambda/errors.ts', 'mapped in `http/error-responder.ts`, see `http/middlewares.ts`')).toEqual([
      'http/error-responder.ts',
    ]);
  });

  it('every backquoted path names a file that exists', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(50);
    const dangling = files.flatMap((file) =>
      danglingReferences(file, readFileSync(path.join(ROOT, file), 'utf8')).map((reference) => `${file}: ${reference}`),
    );
    expect(dangling).toEqual([]);
  });
});
