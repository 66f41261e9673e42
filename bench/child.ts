/**
 * The benchmark's child process (`bench/runner.mjs`) running the bundle as built for the
 * stack, driven over IPC: used by the timing runs (`bench/run.ts`) and the cost report
 * (`bench/cost.ts`).
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import type { APIGatewayProxyResult } from 'aws-lambda';

export type ChildAnswer =
  | { type: 'ready'; bootMs: number; initMs: number }
  | { type: 'invoke'; ms: number; cpuUs: number; response: APIGatewayProxyResult }
  | {
      type: 'loop';
      latencies: number[];
      cpuUs: number;
      answers: Record<string, number>;
      wrong: { index: number; response: APIGatewayProxyResult }[];
      heapUsed: number;
    }
  | { type: 'error'; message: string };

export class Child {
  private readonly queue: ((a: ChildAnswer) => void)[] = [];
  private stderr = '';
  stdoutBytes = 0;
  private exited = false;
  /** Output kept while {@link Child.invokeCapturing} waits for its marker. */
  private captured: string | undefined;
  private onCaptured: (() => void) | undefined;

  private constructor(private readonly proc: ChildProcess) {
    proc.stdout?.on('data', (c: Buffer) => {
      this.stdoutBytes += c.length;
      if (this.captured !== undefined) {
        this.captured += c.toString('utf8');
        this.onCaptured?.();
      }
    });
    proc.stderr?.on('data', (c: Buffer) => {
      this.stderr = (this.stderr + c.toString('utf8')).slice(-4000);
    });
    proc.on('message', (m: ChildAnswer) => this.queue.shift()?.(m));
    proc.on('exit', (code, signal) => {
      this.exited = true;
      const waiting = this.queue.splice(0);
      for (const w of waiting) w({ type: 'error', message: `runner exited (${code ?? signal}) ${this.stderr.trim()}` });
    });
  }

  static start(bundle: string, env: NodeJS.ProcessEnv, execArgv: string[]): { child: Child; ready: Promise<ChildAnswer> } {
    // execArgv: [] so that tsx's loader flags of this process never reach the child.
    const proc = fork(path.join(__dirname, 'runner.mjs'), [bundle], { env, execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const child = new Child(proc);
    const ready = new Promise<ChildAnswer>((resolve) => child.queue.push(resolve));
    return { child, ready };
  }

  request(message: object): Promise<ChildAnswer> {
    if (this.exited) return Promise.resolve({ type: 'error', message: `runner already exited ${this.stderr.trim()}` });
    return new Promise((resolve) => {
      this.queue.push(resolve);
      this.proc.send(message);
    });
  }

  /**
   * One invocation, with the lines the function printed to stdout during it: the runner
   * prints a marker line once the handler has returned, and stdout and the IPC channel are
   * separate pipes, so the output counts only once the marker has arrived.
   */
  async invokeCapturing(event: object): Promise<{ answer: ChildAnswer; lines: string[] }> {
    const marker = `--bench-invocation-end-${Math.random().toString(36).slice(2)}--`;
    this.captured = '';
    try {
      const answer = await this.request({ cmd: 'invoke', event, marker });
      if (answer.type === 'error') return { answer, lines: [] };
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new BenchError('the runner printed no end-of-invocation marker within 5 s')), 5000);
        this.onCaptured = () => {
          if (this.captured?.includes(marker)) {
            clearTimeout(timer);
            resolve();
          }
        };
        this.onCaptured();
      });
      const text = (this.captured ?? '').slice(0, (this.captured ?? '').indexOf(marker));
      return { answer, lines: text.split('\n').filter((line) => line.length > 0) };
    } finally {
      this.captured = undefined;
      this.onCaptured = undefined;
    }
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.send({ cmd: 'exit' });
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }
}

export function expectType<T extends ChildAnswer['type']>(answer: ChildAnswer, type: T): Extract<ChildAnswer, { type: T }> {
  if (answer.type === 'error') throw new BenchError(`the runner failed: ${answer.message}`);
  if (answer.type !== type) throw new BenchError(`the runner answered ${answer.type}, expected ${type}`);
  return answer as Extract<ChildAnswer, { type: T }>;
}

export class BenchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchError';
  }
}

/** 'accepted' | 'duplicate' | 'status <n>' and the parsed body. */
export function answerOf(response: APIGatewayProxyResult): { kind: string; body: Record<string, unknown> } {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(response.body);
  } catch {
    body = {};
  }
  if (response.statusCode === 200 && (body.result === 'accepted' || body.result === 'duplicate')) return { kind: body.result, body };
  return { kind: `status ${response.statusCode}`, body };
}
