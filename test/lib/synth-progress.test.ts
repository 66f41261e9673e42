import { PassThrough } from 'node:stream';
import { dropAssetBundlingProgress } from '../../lib/synth-progress';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return { stream, text: () => chunks.join('') };
}

describe('dropAssetBundlingProgress', () => {
  test("drops aws-cdk-lib's bundling progress lines and passes everything else on", async () => {
    const { stream, text } = capture();
    const restore = dropAssetBundlingProgress(stream);
    stream.write('Bundling asset MmsPostbacksStack/Receiver/IngestFunction/Code/Stage...\n');
    stream.write('✘ [ERROR] Could not resolve "./nope"\n');
    stream.write('Bundling asset is a phrase in this warning\n');
    let called = false;
    stream.write('Bundling asset S/Fn/Code/Stage...\n', () => {
      called = true;
    });
    restore();
    stream.write('Bundling asset S/Other/Code/Stage...\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(called).toBe(true);
    expect(text()).toBe(
      '✘ [ERROR] Could not resolve "./nope"\nBundling asset is a phrase in this warning\nBundling asset S/Other/Code/Stage...\n',
    );
  });
});
