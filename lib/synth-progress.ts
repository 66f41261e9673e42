/**
 * The progress line that aws-cdk-lib writes to stderr before it bundles an asset
 * (`Bundling asset <path>...`): information, not an error, printed whatever the CLI's
 * `--quiet`.
 */
export const ASSET_BUNDLING_PROGRESS = /^Bundling asset \S+\.\.\.\r?\n$/;

/**
 * Makes a stream drop aws-cdk-lib's asset bundling progress lines
 * ({@link ASSET_BUNDLING_PROGRESS}) and pass everything else on unchanged. The CDK CLI
 * tells an app nothing of `--quiet` (its `CDK_CONTEXT_JSON` is the same with and without
 * it), but it sets `CDK_DEBUG=true` for `--debug`: the example app calls this unless
 * `--debug` was given, so that `cdk synth --quiet` prints only warnings, errors and
 * annotations. esbuild's own summary is off through `BUNDLING.logLevel`; esbuild's
 * warnings and errors go to the file descriptor directly, never through this stream.
 *
 * @returns a function that restores the stream's own `write`
 * @example
 * if (process.env.CDK_DEBUG !== 'true') dropAssetBundlingProgress(process.stderr);
 */
export function dropAssetBundlingProgress(stream: NodeJS.WritableStream): () => void {
  const write = stream.write;
  stream.write = function (this: NodeJS.WritableStream, chunk: unknown, ...rest: unknown[]): boolean {
    if (typeof chunk === 'string' && ASSET_BUNDLING_PROGRESS.test(chunk)) {
      const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
      callback?.();
      return true;
    }
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as NodeJS.WritableStream['write'];
  return () => {
    stream.write = write;
  };
}
