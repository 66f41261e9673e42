/**
 * Captures what the process writes to stdout and stderr (Powertools writes INFO and EMF to
 * stdout, WARN and ERROR to stderr), line by line, until `restore()`.
 *
 * @example
 * const out = captureOutput();
 * await h.post(body);
 * out.lines; // every non-empty line written meanwhile
 * out.restore();
 */
export function captureOutput(): { lines: string[]; clear(): void; restore(): void } {
  const lines: string[] = [];
  const capture = (stream: NodeJS.WriteStream) => {
    const original = stream.write;
    stream.write = ((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    }) as typeof stream.write;
    return () => {
      stream.write = original;
    };
  };
  const restoreOut = capture(process.stdout);
  const restoreErr = capture(process.stderr);
  return {
    lines,
    clear: () => {
      lines.length = 0;
    },
    restore: () => {
      restoreOut();
      restoreErr();
    },
  };
}

/**
 * The CloudWatch embedded-metric-format records among captured lines (JSON objects with `_aws`).
 *
 * @example
 * const records = emfRecords(out.lines); // [{ _aws: { CloudWatchMetrics: [...] }, service: 'mms-postbacks', PostbackAccepted: 1 }]
 */
export function emfRecords(lines: readonly string[]): Record<string, unknown>[] {
  return lines
    .filter((line) => line.startsWith('{') && line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => record._aws !== undefined);
}
