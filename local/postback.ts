/**
 * `npm run postback -- <example…> [--tracking-id ID] [--url URL] [--secret S] [--auth header|basic|query] [--xml]`
 * sends the provider's example postbacks and prints the status and body of each answer.
 * `npm run postback -- --list` lists the examples.
 */
import { randomUUID } from 'node:crypto';
import { parseCommandLine, UsageError } from './cli';
import { EXAMPLE_NAMES, EXAMPLES, type ExampleName, isExampleName, loadExample } from './examples';
import { DEFAULT_SECRET } from './local-run';
import { toXmlPostback } from './xml-form';

type AuthForm = 'header' | 'basic' | 'query';

const USAGE = `usage: npm run postback -- <example> [<example>…] [options]
       npm run postback -- --list

examples: ${EXAMPLE_NAMES.join(', ')} (several in one call share one tracking-id)
options:
  --tracking-id ID   use this tracking-id (default: a fresh one, local-<random>)
  --url URL          where to POST (default: http://127.0.0.1:$PORT/postbacks, PORT default 3000)
  --secret S         the shared secret (default: $POSTBACK_SECRET or ${DEFAULT_SECRET})
  --auth FORM        header (X-Postback-Token, default), basic (HTTP Basic password) or query (?token=)
  --xml              send the XML form (application/xml), as the provider's XML API does`;

export interface PostbackArgs {
  names: ExampleName[];
  trackingId?: string;
  url: string;
  secret: string;
  auth: AuthForm;
  /** Send the XML form of the examples. */
  xml: boolean;
  list: boolean;
  help: boolean;
}

/** This script's options, as npm names them in `npm_config_*` when they come before `--`. */
const NPM_CONFIG_OPTIONS: readonly string[] = ['list', 'xml', 'tracking-id', 'url', 'secret', 'auth'];

/**
 * The script's options that npm took as its own: `npm run postback --list` (without `--`)
 * passes the script no arguments and sets `npm_config_list=true` in its environment instead.
 */
function optionsTakenByNpm(env: NodeJS.ProcessEnv): string[] {
  return NPM_CONFIG_OPTIONS.filter((name) => env[`npm_config_${name.replaceAll('-', '_')}`] !== undefined).map((name) => `--${name}`);
}

/**
 * Reads the command line (pure: no output, no exit); `--help` sets `help`.
 *
 * @example
 * parsePostbackArgs(['n101', '--auth', 'query'], process.env);
 */
export function parsePostbackArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): PostbackArgs {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      list: { type: 'boolean' },
      xml: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      'tracking-id': { type: 'string' },
      url: { type: 'string' },
      secret: { type: 'string' },
      auth: { type: 'string' },
    },
    true,
  );
  if (argv.length === 0) {
    const taken = optionsTakenByNpm(env);
    if (taken.length > 0) {
      throw new UsageError(
        `npm took ${taken.join(' ')} as its own option${taken.length > 1 ? 's' : ''}: npm needs -- before the script's options, as in npm run postback -- ${taken.join(' ')}`,
      );
    }
  }
  for (const name of ['tracking-id', 'url', 'secret', 'auth'] as const)
    if (values[name] === '') throw new UsageError(`--${name} needs a value`);
  const auth = values.auth ?? 'header';
  if (auth !== 'header' && auth !== 'basic' && auth !== 'query')
    throw new UsageError(`--auth must be header, basic or query, got "${auth}"`);
  const names = positionals.map((given) => {
    const name = given.toLowerCase();
    if (!isExampleName(name)) throw new UsageError(`unknown example "${given}": use one of ${EXAMPLE_NAMES.join(', ')}`);
    return name;
  });
  const url = values.url ?? `http://127.0.0.1:${env.PORT?.trim() || '3000'}/postbacks`;
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--url is not a URL: ${url}`);
  }
  return {
    names,
    ...(values['tracking-id'] === undefined ? {} : { trackingId: values['tracking-id'] }),
    url,
    secret: values.secret ?? (env.POSTBACK_SECRET?.trim() || DEFAULT_SECRET),
    auth,
    xml: values.xml ?? false,
    list: values.list ?? false,
    help: values.help ?? false,
  };
}

/** The request a provider would send for `body` with the secret in the given form, as JSON or in the XML form. */
export function buildRequest(
  url: string,
  secret: string,
  auth: AuthForm,
  body: Record<string, unknown>,
  format: 'json' | 'xml' = 'json',
): { url: string; init: RequestInit } {
  const target = new URL(url);
  const headers: Record<string, string> = {
    'content-type': format === 'xml' ? 'application/xml; charset=utf-8' : 'application/json',
    'user-agent': 'mms-postbacks-local/1',
  };
  if (auth === 'header') headers['x-postback-token'] = secret;
  if (auth === 'query') target.searchParams.set('token', secret);
  if (auth === 'basic') headers.authorization = `Basic ${Buffer.from(`provider:${secret}`).toString('base64')}`;
  return { url: target.toString(), init: { method: 'POST', headers, body: format === 'xml' ? toXmlPostback(body) : JSON.stringify(body) } };
}

async function main(): Promise<number> {
  const args = parsePostbackArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.list) {
    for (const [name, description] of Object.entries(EXAMPLES)) console.log(`${name.padEnd(6)} ${description}`);
    return 0;
  }
  if (args.names.length === 0) throw new UsageError(`name an example\n${USAGE}`);
  const trackingId = args.trackingId ?? `local-${randomUUID().slice(0, 8)}`;
  let failed = false;
  for (const name of args.names) {
    const body = loadExample(name, { 'tracking-id': trackingId });
    const { url, init } = buildRequest(args.url, args.secret, args.auth, body, args.xml ? 'xml' : 'json');
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(30000) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new UsageError(`cannot reach ${args.url} (${cause}): is \`npm start\` running?`);
    }
    const text = await response.text();
    console.log(`${name}${args.xml ? ' (XML)' : ''} tracking-id=${trackingId} -> ${response.status} ${response.statusText}`);
    console.log(text);
    if (response.status >= 400) failed = true;
  }
  return failed ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`npm run postback: ${error instanceof UsageError ? error.message : ((error as Error)?.stack ?? String(error))}`);
      process.exit(2);
    },
  );
}
