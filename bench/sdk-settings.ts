/**
 * `npm run bench:sdk`: what each setting of the functions' SDK clients saves, one at a time,
 * in CPU per call. A DynamoDB client as the functions build it (`lambda/platform/aws-clients.ts`)
 * sends the ingest function's transaction (the same item shapes as a postback) to a loopback
 * server in another process that answers as DynamoDB does: `{}` for a new postback, a
 * `TransactionCanceledException` (conditional check failed) for a duplicate. The settings are
 * added one after the other; the steps are interleaved in rounds so that a change in the
 * machine's load falls on all of them, and each figure is the median of the rounds (nearest rank).
 * The CPU is this process's own (user + system); the loopback server's is not counted.
 * See docs/performance.md ("Fast by configuration").
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { DynamoDBClient, TransactWriteItemsCommand, type TransactWriteItemsInput } from '@aws-sdk/client-dynamodb';
import { awsClientConfig, configureClient } from '../lambda/platform/aws-clients';
import { untilDeadline } from '../lambda/platform/deadline';
import { defaultProvider } from '../lambda/platform/env-credentials';
import { ATTRIBUTE } from '../lambda/table/attributes';
import { KEYS, keyAttributes, messageKey, stateKey } from '../lambda/table/keys';
import { parseCommandLine, wholeNumber } from '../local/cli';
import { summarize } from './stats';

const USAGE = 'usage: npm run bench:sdk -- [--rounds N (7)] [--calls N (1000)]';

/** The loopback DynamoDB: `{}`, or a cancelled transaction when the path is `/duplicate`. */
const SERVER = `
const http = require('node:http');
const cancelled = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
  message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]',
  CancellationReasons: [{ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }, { Code: 'None' }],
});
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const duplicate = req.url === '/duplicate';
    res.writeHead(duplicate ? 400 : 200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'bench' });
    res.end(duplicate ? cancelled : '{}');
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

interface Step {
  readonly name: string;
  /** A client configured up to this step. */
  client(endpoint: string): DynamoDBClient;
  /** Calls with per-call options (`send(command, { abortSignal })`), as before the handler cache was used. */
  readonly withOptions: boolean;
}

/** The functions' client settings, added one at a time. */
const STEPS: readonly Step[] = [
  {
    name: 'before: send(command, { abortSignal }), default provider',
    withOptions: true,
    client: (endpoint) =>
      new DynamoDBClient({ ...awsClientConfig({ region: 'us-east-1', endpoint }), credentialDefaultProvider: defaultProvider }),
  },
  {
    name: '+ no per-call options (the handler cache)',
    withOptions: false,
    client: (endpoint) =>
      new DynamoDBClient({ ...awsClientConfig({ region: 'us-east-1', endpoint }), credentialDefaultProvider: defaultProvider }),
  },
  {
    name: '+ environment credentials resolved once',
    withOptions: false,
    client: (endpoint) => new DynamoDBClient(awsClientConfig({ region: 'us-east-1', endpoint, credentialsFromEnvironment: true })),
  },
  {
    name: '+ one signer, endpoints resolved once',
    withOptions: false,
    client: (endpoint) =>
      configureClient(new DynamoDBClient(awsClientConfig({ region: 'us-east-1', endpoint, credentialsFromEnvironment: true })), {
        tracing: true,
      }),
  },
  {
    name: '+ no user-agent and logger middleware',
    withOptions: false,
    client: (endpoint) =>
      configureClient(new DynamoDBClient(awsClientConfig({ region: 'us-east-1', endpoint, credentialsFromEnvironment: true })), {
        tracing: false,
      }),
  },
];

/** A transaction shaped like the ingest function's: the history put (about 12 attributes) and the state update (about 20). */
function transaction(n: number): TransactWriteItemsInput {
  const values = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`:v${i}`, { S: `value-${n}-${i}` }]));
  const names = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`#a${i}`, `attribute${i}`]));
  const item = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`field${i}`, { S: `history-${n}-${i}` }]));
  return {
    ClientRequestToken: `token-${n}`,
    TransactItems: [
      {
        Put: {
          TableName: 'bench',
          Item: { ...keyAttributes({ pk: messageKey(`${n}`), sk: `${KEYS.historyPrefix}${n}` }), ...item },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': ATTRIBUTE.partitionKey },
        },
      },
      {
        Update: {
          TableName: 'bench',
          Key: keyAttributes(stateKey(`${n}`)),
          UpdateExpression: `SET ${Object.keys(names)
            .map((name, i) => `${name} = :v${i}`)
            .join(', ')}`,
          ConditionExpression: 'attribute_not_exists(#a0) OR #a1 < :v1',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
    ],
  };
}

/** CPU microseconds per call of one step, `calls` calls after a warm-up. */
async function measure(step: Step, endpoint: string, calls: number): Promise<number> {
  const client = step.client(endpoint);
  const duplicate = endpoint.endsWith('/duplicate');
  const call = async (n: number) => {
    const command = new TransactWriteItemsCommand(transaction(n));
    const signal = AbortSignal.timeout(10_000);
    const sent = step.withOptions
      ? client.send(command, { abortSignal: signal })
      : untilDeadline(client.send(command), { abortSignal: signal });
    try {
      await sent;
    } catch (error) {
      if (!duplicate) throw error;
    }
  };
  try {
    for (let n = 0; n < 200; n++) await call(n);
    const start = process.cpuUsage();
    for (let n = 0; n < calls; n++) await call(n);
    const used = process.cpuUsage(start);
    return (used.user + used.system) / calls;
  } finally {
    client.destroy();
  }
}

async function startServer(): Promise<{ server: ChildProcess; port: number }> {
  const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString('utf8').trim())));
  });
  return { server, port };
}

async function main(): Promise<number> {
  const { values } = parseCommandLine(process.argv.slice(2), {
    rounds: { type: 'string' },
    calls: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const rounds = values.rounds === undefined ? 7 : wholeNumber('--rounds', values.rounds);
  const calls = values.calls === undefined ? 1000 : wholeNumber('--calls', values.calls);
  // The environment credentials the clients sign with, as Lambda passes them.
  process.env.AWS_ACCESS_KEY_ID ??= 'bench';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { server, port } = await startServer();
  try {
    const lines: string[] = [
      `SDK client settings: CPU per DynamoDB transaction (median of ${rounds} rounds of ${calls} calls), Node ${process.version}`,
    ];
    for (const outcome of ['new', 'duplicate'] as const) {
      const endpoint = `http://127.0.0.1:${port}${outcome === 'duplicate' ? '/duplicate' : ''}`;
      const samples = STEPS.map((): number[] => []);
      for (let round = 0; round < rounds; round++) {
        for (const [i, step] of STEPS.entries()) samples[i]?.push(await measure(step, endpoint, calls));
      }
      lines.push(`  ${outcome === 'new' ? 'new postback (200)' : 'duplicate (400, TransactionCanceledException)'}`);
      let previous: number | undefined;
      for (const [i, step] of STEPS.entries()) {
        const us = summarize(samples[i] ?? []).median;
        const delta = previous === undefined ? '' : `  (${us - previous >= 0 ? '+' : ''}${(us - previous).toFixed(0)} us)`;
        lines.push(`    ${step.name.padEnd(60)} ${us.toFixed(0).padStart(5)} us${delta}`);
        previous = us;
      }
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    server.kill();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench:sdk failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 3;
  },
);
