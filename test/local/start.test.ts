import { UsageError } from '../../local/cli';
import { DEFAULT_SECRET } from '../../local/runtime';
import { parseStartArgs, secretLines } from '../../local/start';

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
