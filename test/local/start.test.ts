import { UsageError } from '../../local/cli';
import { DEFAULT_SECRET } from '../../local/local-run';
import { formatPublishFailure, parseStartArgs, secretLines } from '../../local/start';

describe("a batch the publisher's mapping gave up on", () => {
  it('is printed loudly, naming its postbacks, the reason and where it is recorded', () => {
    const text = formatPublishFailure(
      {
        at: '2026-12-06T00:00:00.000Z',
        functionName: 'PublisherFunction',
        reason: 'retries exhausted after a partial batch failure',
        attempts: 5,
        shardId: 'shard-1',
        streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/x',
        startSequenceNumber: '100',
        endSequenceNumber: '200',
        batchSize: 2,
        records: [
          { sequenceNumber: '100', keys: {}, postbackId: 'pb-1' },
          { sequenceNumber: '200', keys: {} },
        ],
      },
      '.local/publish-failures.jsonl',
    );
    const lines = text.split('\n');
    expect(lines.every((line) => line.startsWith('!!! '))).toBe(true);
    expect(text).toContain('PUBLISH FAILED: 2 stream record(s) given up after 5 retries (retries exhausted after a partial batch failure)');
    expect(text).toContain('postbacks: pb-1, 200');
    expect(text).toContain('.local/publish-failures.jsonl');
  });
});

describe('the npm start banner', () => {
  const base = 'http://127.0.0.1:3000';

  it('never prints a secret set in POSTBACK_SECRET', () => {
    const lines = secretLines('my-Real-s3cret', base, '127.0.0.1:3000').join('\n');
    expect(lines).not.toContain('my-Real-s3cret');
    expect(lines).toContain(`${base}/postbacks?token=$POSTBACK_SECRET`);
    expect(lines).toContain('X-Postback-Token: $POSTBACK_SECRET');
  });

  it('prints the fixed local default, which is no secret', () => {
    const lines = secretLines(DEFAULT_SECRET, base, '127.0.0.1:3000').join('\n');
    expect(lines).toContain(`${base}/postbacks?token=${encodeURIComponent(DEFAULT_SECRET)}`);
  });
});

describe('npm start: arguments', () => {
  it('reads --persist and --help', () => {
    expect(parseStartArgs([])).toEqual({ persist: false });
    expect(parseStartArgs(['--persist'])).toEqual({ persist: true });
    expect(parseStartArgs(['-h'])).toBe('help');
  });

  it('refuses an unknown option with the usage', () => {
    expect(() => parseStartArgs(['--persistent'])).toThrow(UsageError);
    expect(() => parseStartArgs(['--persistent'])).toThrow(/^unknown option --persistent: usage: npm start \[-- --persist\]/);
  });
});
