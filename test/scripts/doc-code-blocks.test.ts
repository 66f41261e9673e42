import { readFileSync } from 'node:fs';
import path from 'node:path';
import { markedCodeBlocks } from '../../scripts/doc-code-blocks';

describe('markedCodeBlocks', () => {
  test('takes the marked blocks whole, and only those', () => {
    const markdown = [
      '# App',
      '<!-- consumer-test: src/app.ts -->',
      '```ts',
      "import { App } from 'aws-cdk-lib';",
      '',
      'new App();',
      '```',
      '```sh',
      'npx cdk synth',
      '```',
      '<!-- consumer-test: cdk.json -->',
      '```json',
      '{ "app": "node out/app.js" }',
      '```',
    ].join('\n');
    expect(markedCodeBlocks(markdown)).toEqual({
      'src/app.ts': "import { App } from 'aws-cdk-lib';\n\nnew App();\n",
      'cdk.json': '{ "app": "node out/app.js" }\n',
    });
  });

  test.each([
    ['<!-- consumer-test: a.ts -->\ntext\n```ts\n```', /not followed by a code block/],
    ['<!-- consumer-test: a.ts -->\n```ts\nexport {};\n', /not closed/],
    ['<!-- consumer-test: ../a.ts -->\n```ts\n```', /leaves the directory/],
    ['<!-- consumer-test: a.ts -->\n```ts\n```\n<!-- consumer-test: a.ts -->\n```ts\n```', /marked twice/],
  ])('refuses %j', (markdown, message) => {
    expect(() => markedCodeBlocks(markdown)).toThrow(message);
  });

  test('docs/construct.md holds the consumer app the consumer test builds', () => {
    const blocks = markedCodeBlocks(readFileSync(path.join(__dirname, '..', '..', 'docs', 'construct.md'), 'utf8'));
    expect(Object.keys(blocks).sort()).toEqual(['cdk.json', 'src/app.ts', 'src/handler/index.ts', 'tsconfig.json']);
    expect(blocks['src/app.ts']).toContain('outputs: true');
  });
});
