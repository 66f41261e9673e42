import { UsageError } from '../../local/cli';
import { buildRequest, parsePostbackArgs } from '../../local/postback';

describe('npm run postback: arguments', () => {
  it('defaults to the local server, the local secret and the header form', () => {
    expect(parsePostbackArgs(['n101'], {})).toEqual({
      names: ['n101'],
      url: 'http://127.0.0.1:3000/postbacks',
      secret: 'local-dev-secret',
      auth: 'header',
      xml: false,
      list: false,
      help: false,
    });
  });

  it('takes PORT and POSTBACK_SECRET from the environment and options over them', () => {
    expect(parsePostbackArgs(['N102', 'e102'], { PORT: '3100', POSTBACK_SECRET: 'env' })).toMatchObject({
      names: ['n102', 'e102'],
      url: 'http://127.0.0.1:3100/postbacks',
      secret: 'env',
    });
    expect(
      parsePostbackArgs(['n401', '--tracking-id', 'abc', '--url=http://h:1/postbacks', '--secret', 's', '--auth', 'query'], {}),
    ).toMatchObject({
      trackingId: 'abc',
      url: 'http://h:1/postbacks',
      secret: 's',
      auth: 'query',
    });
  });

  it.each([
    [['nope'], 'unknown example "nope": use one of n101, n102, e102, n003, n401'],
    [['n101', '--auth', 'digest'], '--auth must be header, basic or query, got "digest"'],
    [['--tracking-id'], '--tracking-id needs a value'],
    [['n101', '--tracking-id', '--xml'], '--tracking-id needs a value'],
    [['n101', '--secret='], '--secret needs a value'],
    [['--frobnicate'], 'unknown option --frobnicate'],
    [['n101', '--url', 'not a url'], '--url is not a URL: not a url'],
  ])('refuses %j with a usage error: %s', (argv, message) => {
    expect(() => parsePostbackArgs(argv, {})).toThrow(new UsageError(message));
  });

  it.each([
    [
      { npm_config_list: 'true' },
      "npm took --list as its own option: npm needs -- before the script's options, as in npm run postback -- --list",
    ],
    [
      { npm_config_xml: 'true', npm_config_tracking_id: 'abc' },
      "npm took --xml --tracking-id as its own options: npm needs -- before the script's options, as in npm run postback -- --xml --tracking-id",
    ],
  ])('says that npm needs -- when npm took the options (npm run postback --list): %j', (env, message) => {
    expect(() => parsePostbackArgs([], env)).toThrow(new UsageError(message));
  });

  it('reads --help, -h and --list', () => {
    expect(parsePostbackArgs(['--help'], {}).help).toBe(true);
    expect(parsePostbackArgs(['-h'], {}).help).toBe(true);
    expect(parsePostbackArgs(['--list'], {}).list).toBe(true);
  });

  it('sends the XML form with --xml', () => {
    const args = parsePostbackArgs(['n102', '--xml'], {});
    const request = buildRequest(args.url, args.secret, args.auth, { origin: 'MMS_MT', code: 'N102' }, 'xml');

    expect(args.xml).toBe(true);
    expect((request.init.headers as Record<string, string>)['content-type']).toMatch(/^application\/xml/);
    expect(request.init.body).toContain('<postback><origin>MMS_MT</origin><code>N102</code></postback>');
  });

  it('puts the secret where each form expects it', () => {
    const header = buildRequest('http://127.0.0.1:3000/postbacks', 's3', 'header', {});
    const query = buildRequest('http://127.0.0.1:3000/postbacks', 's3', 'query', {});
    const basic = buildRequest('http://127.0.0.1:3000/postbacks', 's3', 'basic', {});

    expect((header.init.headers as Record<string, string>)['x-postback-token']).toBe('s3');
    expect(query.url).toBe('http://127.0.0.1:3000/postbacks?token=s3');
    expect(
      Buffer.from((basic.init.headers as Record<string, string>).authorization?.replace('Basic ', '') ?? '', 'base64').toString(),
    ).toBe('provider:s3');
  });
});
