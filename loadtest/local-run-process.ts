/**
 * Starts the local run under test as a child process in its own process group and stops it
 * again, leaving nothing behind (no Java process in particular):
 *
 * - normal runs: `npm start` itself, exactly as a developer runs it;
 * - fault runs: `loadtest/fault-local-run.ts` (the same pieces, with fault proxies in front of
 *   DynamoDB Local and the local EventBridge), driven over an IPC channel.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import path from 'node:path';
import { LOCAL_NAME } from '../local/local-run';
import type { FaultReportMessage, ReadyMessage } from './fault-local-run';
import { alive, descendants } from './processes';

const REPO = path.resolve(__dirname, '..');

export interface LocalRunProcessOptions {
  readonly faults: boolean;
  readonly lostResponses: boolean;
  readonly port: number;
  readonly dynamoDbPort: number;
  readonly localDir: string;
  readonly secret: string;
  /** Extra environment for the functions (e.g. RETRY_AFTER_SECONDS). */
  readonly env: Readonly<Record<string, string>>;
  readonly readyTimeoutMs: number;
}

export interface LocalRunProcess {
  readonly apiUrl: string;
  readonly dynamoDbEndpoint: string;
  readonly eventsFile: string;
  readonly tableName: string;
  /** PIDs of the child and all its descendants when it became ready (Java included). */
  readonly pids: readonly number[];
  /** Starts the fault schedule (fault runs only). */
  startFaults(timing: { periodMs: number; badMs: number; offsetMs: number; services?: readonly ('dynamodb' | 'eventbridge')[] }): void;
  /** Stops the fault schedule (if running) and returns what was injected and what the stream mapping did so far (fault runs only; may be called again later). */
  stopFaults(): Promise<FaultReportMessage | undefined>;
  /** The last lines the child printed (for diagnostics). */
  tail(): string;
  /** SIGINT to the process group, then SIGKILL to whatever is left. Resolves with the PIDs still alive (should be none). */
  stop(): Promise<number[]>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the local run and resolves once it is ready.
 *
 * @example
 * const localRun = await startLocalRunProcess({ faults: false, lostResponses: false, port, dynamoDbPort, localDir, secret, env: {}, readyTimeoutMs: 90_000 });
 * // … drive it …
 * await localRun.stop();
 */
export async function startLocalRunProcess(opts: LocalRunProcessOptions): Promise<LocalRunProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...opts.env,
    PORT: String(opts.port),
    DYNAMODB_PORT: String(opts.dynamoDbPort),
    LOCAL_DIR: opts.localDir,
    POSTBACK_SECRET: opts.secret,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  delete env.AWS_ENDPOINT_URL_DYNAMODB;
  delete env.AWS_ENDPOINT_URL_EVENTBRIDGE;
  delete env.NODE_OPTIONS;
  for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];

  let child: ChildProcess;
  if (opts.faults) {
    child = fork(path.join(__dirname, 'fault-local-run.ts'), opts.lostResponses ? ['--lost-responses'] : [], {
      cwd: REPO,
      env,
      execArgv: ['--import', 'tsx'],
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
  } else {
    child = spawn('npm', ['start', '--silent'], { cwd: REPO, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  const lines: string[] = [];
  let partial = '';
  let readyLine = false;
  const collect = (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (/^Ready in /.test(line)) readyLine = true;
      if (/^(http|event) {3}/.test(line)) continue; // per-request and per-event lines: not kept
      lines.push(line);
      if (lines.length > 60) lines.shift();
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let ready: ReadyMessage | undefined;
  const reports: FaultReportMessage[] = [];
  child.on('message', (m: ReadyMessage | FaultReportMessage) => {
    if (m.type === 'ready') ready = m;
    else if (m.type === 'fault-report') reports.push(m);
  });

  const pgid = child.pid as number;
  let pids: number[] = [];
  const stop = async (): Promise<number[]> => {
    const all = [...new Set([pgid, ...pids, ...descendants(pgid)])];
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-pgid, 'SIGINT');
      } catch {
        // group gone
      }
      await Promise.race([exited, sleep(20_000)]);
    }
    for (let i = 0; i < 20 && all.some(alive); i++) await sleep(250);
    for (const pid of all.filter(alive)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await sleep(200);
    return all.filter(alive);
  };

  const deadline = Date.now() + opts.readyTimeoutMs;
  while (!(opts.faults ? ready : readyLine)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`the local run exited before it was ready:\n${lines.join('\n')}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the local run was not ready within ${opts.readyTimeoutMs} ms:\n${lines.join('\n')}`);
    }
    await sleep(100);
  }
  pids = [pgid, ...descendants(pgid)];
  return {
    apiUrl: ready?.apiUrl ?? `http://127.0.0.1:${opts.port}`,
    dynamoDbEndpoint: ready?.dynamoDbEndpoint ?? `http://127.0.0.1:${opts.dynamoDbPort}`,
    eventsFile: ready?.eventsFile ?? path.join(opts.localDir, 'events.jsonl'),
    tableName: ready?.tableName ?? (process.env.TABLE_NAME?.trim() || LOCAL_NAME),
    pids,
    startFaults(timing) {
      child.send?.({ type: 'start-faults', ...timing });
    },
    async stopFaults() {
      if (!opts.faults) return undefined;
      const before = reports.length;
      child.send?.({ type: 'stop-faults' });
      for (let i = 0; i < 50 && reports.length === before; i++) await sleep(100);
      return reports[reports.length - 1];
    },
    tail: () => lines.join('\n'),
    stop,
  };
}
