/**
 * End to end: `npm start` as a child process, real HTTP, real DynamoDB Local, the real
 * handlers; then Ctrl-C, and nothing may be left behind.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { defaultIngestDeps } from '../../lambda/ingest/ingest-handler-factory';
import { alive, descendants } from '../../loadtest/processes';
import { type ExampleName, loadExample as fixture } from '../../local/examples';
import { findFreePort, portInUse } from '../../stand-ins/loopback-server';
import { interpreted } from '../helpers/fixtures';
import { sleep, until } from '../helpers/until';

const REPO = path.resolve(__dirname, '..', '..');
const TSX_CLI = path.join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const SECRET = 'e2e-secret';

jest.setTimeout(120_000);

/** A timer that does not keep jest alive (for races against a deadline). */
const deadline = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Env for a child: no inherited endpoints of the jest run. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.AWS_ENDPOINT_URL_DYNAMODB;
  delete env.AWS_ENDPOINT_URL_EVENTBRIDGE;
  delete env.NODE_OPTIONS;
  return env;
}

interface Launched {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** In its own process group (like a terminal's foreground job), so that Ctrl-C can be simulated and cleanup is total. */
function launch(command: string, args: string[], env: NodeJS.ProcessEnv): Launched {
  const child = spawn(command, args, { cwd: REPO, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
  };
}

function killEverything(launched: Launched | undefined, pids: number[]): void {
  if (!launched?.child.pid) return;
  for (const pid of [...pids, ...descendants(launched.child.pid)]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  try {
    process.kill(-launched.child.pid, 'SIGKILL');
  } catch {
    // gone
  }
}

async function startNpm(
  localDir: string,
  port: number,
  extraEnv: Record<string, string> = {},
): Promise<{ launched: Launched; pids: number[]; dynamoDbPort: number }> {
  const launched = launch('npm', ['start'], childEnv({ PORT: String(port), LOCAL_DIR: localDir, POSTBACK_SECRET: SECRET, ...extraEnv }));
  await until(
    '"Ready" from npm start',
    () => {
      if (launched.child.exitCode !== null)
        throw new Error(`npm start exited early (${launched.child.exitCode}):\n${launched.stdout}\n${launched.stderr}`);
      return /^Ready in /m.test(launched.stdout);
    },
    60_000,
  );
  const pids = descendants(launched.child.pid as number);
  const dynamoDbPort = Number(/DynamoDB Local\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(launched.stdout)?.[1]);
  return { launched, pids: [launched.child.pid as number, ...pids], dynamoDbPort };
}

describe('npm start (end to end)', () => {
  let localDir: string;
  let port: number;
  let base: string;
  let launched: Launched | undefined;
  let pids: number[] = [];
  let dynamoDbPort: number;
  const mt = `e2e-${randomUUID().slice(0, 8)}`;
  const template = `e2e-tpl-${randomUUID().slice(0, 8)}`;
  const mo = `e2e-mo-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    localDir = mkdtempSync(path.join(os.tmpdir(), 'mms-local-e2e-'));
    port = await findFreePort();
    base = `http://127.0.0.1:${port}`;
    ({ launched, pids, dynamoDbPort } = await startNpm(localDir, port));
  }, 150_000);

  afterAll(async () => {
    killEverything(launched, pids);
    rmSync(localDir, { recursive: true, force: true });
  });

  it('prints the URL forms without the secret set in POSTBACK_SECRET, and runs DynamoDB Local', () => {
    expect(launched?.stdout).toContain(`http://user:$POSTBACK_SECRET@127.0.0.1:${port}/postbacks`);
    expect(launched?.stdout).toContain(`${base}/postbacks?token=$POSTBACK_SECRET`);
    expect(launched?.stdout).toContain('X-Postback-Token: $POSTBACK_SECRET');
    expect(launched?.stdout).not.toContain(SECRET);
    expect(dynamoDbPort).toBeGreaterThan(0);
    expect(pids.some((pid) => /java/.test(execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' })))).toBe(true);
  });

  it("accepts the provider's examples over real HTTP, with the secret in each form", async () => {
    const post = (body: unknown, auth: 'header' | 'basic' | 'query', secret = SECRET) =>
      fetch(`${base}/postbacks${auth === 'query' ? `?token=${secret}` : ''}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(auth === 'header' ? { 'x-postback-token': secret } : {}),
          ...(auth === 'basic' ? { authorization: `Basic ${Buffer.from(`provider:${secret}`).toString('base64')}` } : {}),
        },
        body: JSON.stringify(body),
      });

    const answers = [];
    for (const [name, trackingId, auth] of [
      ['n101', mt, 'header'],
      ['n102', mt, 'basic'],
      ['e102', mt, 'query'],
      ['n003', template, 'header'],
      ['n401', mo, 'header'],
    ] as const) {
      const res = await post({ ...fixture(name), 'tracking-id': trackingId }, auth);
      answers.push([name, res.status, await res.json()]);
    }
    const again = await post({ ...fixture('n101'), 'tracking-id': mt }, 'header');
    const wrong = await post({ ...fixture('n101'), 'tracking-id': mt }, 'header', 'not-the-secret');
    const wrongInQuery = await post({ ...fixture('n101'), 'tracking-id': mt }, 'query', 'wrong-query-secret');

    expect(answers).toEqual([
      ['n101', 200, expect.objectContaining({ result: 'accepted', trackingId: mt, latest: true })],
      ['n102', 200, expect.objectContaining({ result: 'accepted', trackingId: mt, latest: true })],
      ['e102', 200, expect.objectContaining({ result: 'accepted', trackingId: mt, latest: true })],
      ['n003', 200, expect.objectContaining({ result: 'accepted', trackingId: template })],
      ['n401', 200, expect.objectContaining({ result: 'accepted', trackingId: mo })],
    ]);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ result: 'duplicate', trackingId: mt });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Basic realm="postbacks"');
    expect(wrongInQuery.status).toBe(401);
    // The request log shows the query form, but never its token, right or wrong (the lines reach the pipe a moment later).
    const logged = () => `${launched?.stdout}\n${launched?.stderr}`;
    await until('the log line of the wrong query token', () => /POST \/postbacks\?token=\*\*\* -> 401/.test(logged()), 10_000);
    const output = logged();
    expect(output).toMatch(/POST \/postbacks\?token=\*\*\* -> 200/);
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain('wrong-query-secret');
  });

  it('reads the state back through GET /messages', async () => {
    const message = await fetch(`${base}/messages/${mt}`);
    const body = (await message.json()) as { code: string; history: { code: string }[] };
    const inbound = await (await fetch(`${base}/messages/${mo}`)).json();
    const byReference = await fetch(`${base}/messages?clientReference=template-build-001`);
    const unknown = await fetch(`${base}/messages/e2e-unknown-${randomUUID()}`);
    const noRoute = await fetch(`${base}/nowhere`);

    expect(message.status).toBe(200);
    // N102 and E102 have the same rank; E102 is later.
    expect(body).toMatchObject({ trackingId: mt, code: 'E102' });
    expect(body.history.map((h) => h.code)).toEqual(['N101', 'N102', 'E102']);
    expect(inbound).toMatchObject({ trackingId: mo, code: 'N401' });
    expect(byReference.status).toBe(200);
    expect(((await byReference.json()) as { items: { trackingId: string }[] }).items.map((i) => i.trackingId)).toContain(template);
    expect(unknown.status).toBe(404);
    expect(noRoute.status).toBe(404);
  });

  it('records every event once in events.jsonl and prints it on one line', async () => {
    const mine = [mt, template, mo];
    await until(
      '5 events in events.jsonl',
      () => {
        const file = path.join(localDir, 'events.jsonl');
        return (
          existsSync(file) &&
          readFileSync(file, 'utf8')
            .split('\n')
            .filter((l) => mine.some((id) => l.includes(id))).length >= 5
        );
      },
      10_000,
    );

    const events = readFileSync(path.join(localDir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { detailType: string; source: string; detail: { trackingId: string; code: string } })
      .filter((e) => mine.includes(e.detail.trackingId));

    expect(events.map((e) => [e.detailType, e.detail.trackingId, e.detail.code])).toEqual([
      ['MMS Sent', mt, 'N101'],
      ['MMS Delivered', mt, 'N102'],
      ['MMS Rejected', mt, 'E102'],
      ['MMS Template Ready', template, 'N003'],
      ['MMS Received', mo, 'N401'],
    ]);
    expect(events.every((e) => e.source === 'mms.postbacks')).toBe(true);
    expect(launched?.stdout).toMatch(new RegExp(`MMS Delivered\\s+trackingId=${mt} code=N102 isLatest=true`));
  });

  it("publishes from the table's stream: a postback stored by another writer (not through the API) gets its event once", async () => {
    expect(launched?.stdout).toMatch(/^\s+events now arrive from the table's stream/m);
    expect(launched?.stdout).toMatch(/^\s+Stream\s+arn:aws:dynamodb:/m);
    const trackingId = `e2e-stream-${randomUUID().slice(0, 8)}`;
    const postback = { ...fixture('n101'), 'tracking-id': trackingId };
    // Stored by the real store on the run's DynamoDB Local, as the ingest function or the
    // republish of a rejected postback would: nothing but the stream publishes it.
    const { store } = defaultIngestDeps({
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${dynamoDbPort}`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      TABLE_NAME: 'mms-postbacks-local',
    });
    const storedAt = new Date();
    expect(await store.save(interpreted(postback, storedAt), JSON.stringify(postback), storedAt)).toMatchObject({
      outcome: 'stored',
      isLatest: true,
    });

    const eventsOf = () =>
      existsSync(path.join(localDir, 'events.jsonl'))
        ? readFileSync(path.join(localDir, 'events.jsonl'), 'utf8')
            .split('\n')
            .filter((line) => line.includes(trackingId))
        : [];
    await until('the stream to publish the event', () => eventsOf().length > 0, 15_000);
    await sleep(2000);
    expect(eventsOf()).toHaveLength(1);
    expect(launched?.stdout).toMatch(new RegExp(`MMS Sent\\s+trackingId=${trackingId} code=N101 isLatest=true`));
  });

  it('`npm run postback` sends an example and prints the status and body', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(
          process.execPath,
          [TSX_CLI, 'local/postback.ts', ...args],
          { cwd: REPO, env: childEnv({}), timeout: 30_000 },
          (error, stdout) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout }),
        );
      });
    const trackingId = `e2e-cli-${randomUUID().slice(0, 8)}`;

    const sent = await run([
      'n101',
      'n102',
      '--tracking-id',
      trackingId,
      '--url',
      `${base}/postbacks`,
      '--secret',
      SECRET,
      '--auth',
      'basic',
    ]);
    const list = await run(['--list']);

    expect(sent.code).toBe(0);
    expect(sent.stdout).toContain(`n101 tracking-id=${trackingId} -> 200`);
    expect(sent.stdout).toContain(`n102 tracking-id=${trackingId} -> 200`);
    expect(sent.stdout).toContain('"result":"accepted"');
    expect(
      list.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[0]),
    ).toEqual(['n101', 'n102', 'e102', 'n003', 'n401']);
  });

  it('stops everything on Ctrl-C: no process, no port left behind', async () => {
    expect(pids.length).toBeGreaterThanOrEqual(3);

    process.kill(-(launched?.child.pid as number), 'SIGINT'); // what a terminal does on Ctrl-C
    await Promise.race([launched?.exited, deadline(30_000)]);
    await until('every child process to exit', () => pids.every((pid) => !alive(pid)), 15_000);

    expect(launched?.stdout).toContain('Stopped:');
    expect(pids.filter(alive)).toEqual([]);
    expect(await portInUse(port)).toBeUndefined();
    expect(await portInUse(dynamoDbPort)).toBeUndefined();
  });
});

describe('npm start with a short status-unknown wait (STATUS_UNKNOWN_AFTER_SECONDS=5 SWEEP_INTERVAL_SECONDS=1)', () => {
  let localDir: string;
  let base: string;
  let launched: Launched | undefined;
  let pids: number[] = [];
  const waiting = `e2e-wait-${randomUUID().slice(0, 8)}`;
  const delivered = `e2e-done-${randomUUID().slice(0, 8)}`;
  const later = `e2e-later-${randomUUID().slice(0, 8)}`;
  const post = (name: ExampleName, trackingId: string) =>
    fetch(`${base}/postbacks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-postback-token': SECRET },
      body: JSON.stringify({ ...fixture(name), 'tracking-id': trackingId }),
    });
  const events = () =>
    existsSync(path.join(localDir, 'events.jsonl'))
      ? readFileSync(path.join(localDir, 'events.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { detailType: string; detail: Record<string, unknown> })
      : [];
  const eventsOf = (trackingId: string) => events().filter((e) => e.detail.trackingId === trackingId);

  beforeAll(async () => {
    localDir = mkdtempSync(path.join(os.tmpdir(), 'mms-local-e2e-'));
    const port = await findFreePort();
    base = `http://127.0.0.1:${port}`;
    ({ launched, pids } = await startNpm(localDir, port, { STATUS_UNKNOWN_AFTER_SECONDS: '5', SWEEP_INTERVAL_SECONDS: '1' }));
  }, 150_000);

  afterAll(async () => {
    killEverything(launched, pids);
    rmSync(localDir, { recursive: true, force: true });
  });

  it('declares a message with no final postback unknown once; a later N102 (sent as XML) becomes the latest state', async () => {
    expect((await post('n101', waiting)).status).toBe(200);
    expect((await post('n101', delivered)).status).toBe(200);
    expect((await post('n102', delivered)).status).toBe(200);

    // 5 s of waiting, then the next sweep run (every second); the deadline leaves room for a loaded machine.
    await until('MMS Status Unknown in events.jsonl', () => eventsOf(waiting).some((e) => e.detailType === 'MMS Status Unknown'), 20_000);
    // Later sweep runs (the one that declares a message sent only now unknown, and those before it) do not publish again.
    expect((await post('n101', later)).status).toBe(200);
    await until(
      'MMS Status Unknown of the later message',
      () => eventsOf(later).some((e) => e.detailType === 'MMS Status Unknown'),
      20_000,
    );
    const latest = (await (await fetch(`${base}/messages/${waiting}`)).json()) as Record<string, unknown>;

    expect(eventsOf(waiting).map((e) => e.detailType)).toEqual(['MMS Sent', 'MMS Status Unknown']);
    expect(eventsOf(waiting)[1]?.detail).toMatchObject({ outcome: 'unknown', final: true, synthetic: true, isLatest: true });
    expect(latest).toMatchObject({ trackingId: waiting, code: 'UNKNOWN', detailType: 'MMS Status Unknown' });
    expect(eventsOf(delivered).map((e) => e.detailType)).toEqual(['MMS Sent', 'MMS Delivered']);
    expect(launched?.stdout).toMatch(new RegExp(`MMS Status Unknown\\s+trackingId=${waiting} code=UNKNOWN isLatest=true`));

    const sent = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        [TSX_CLI, 'local/postback.ts', 'n102', '--xml', '--tracking-id', waiting, '--url', `${base}/postbacks`, '--secret', SECRET],
        { cwd: REPO, env: childEnv({}), timeout: 30_000 },
        (error, stdout) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout }),
      );
    });
    await until('MMS Delivered in events.jsonl', () => eventsOf(waiting).some((e) => e.detailType === 'MMS Delivered'), 10_000);
    const after = (await (await fetch(`${base}/messages/${waiting}`)).json()) as Record<string, unknown>;

    expect(sent.code).toBe(0);
    expect(sent.stdout).toContain(`n102 (XML) tracking-id=${waiting} -> 200`);
    expect(eventsOf(waiting).map((e) => [e.detailType, e.detail.isLatest, e.detail.format])).toEqual([
      ['MMS Sent', true, 'json'],
      ['MMS Status Unknown', true, undefined],
      ['MMS Delivered', true, 'xml'],
    ]);
    expect(after).toMatchObject({ trackingId: waiting, code: 'N102', format: 'xml' });
  });
});

describe('npm start under a process manager', () => {
  let localDir: string;
  let launched: Launched | undefined;
  let pids: number[] = [];

  afterAll(() => {
    killEverything(launched, pids);
    rmSync(localDir, { recursive: true, force: true });
  });

  it('stops everything when only npm gets SIGTERM (npm does not pass it on)', async () => {
    localDir = mkdtempSync(path.join(os.tmpdir(), 'mms-local-e2e-'));
    const port = await findFreePort();
    let dynamoDbPort: number;
    ({ launched, pids, dynamoDbPort } = await startNpm(localDir, port));

    process.kill(launched.child.pid as number, 'SIGTERM');
    await until('every child process to exit', () => pids.every((pid) => !alive(pid)), 30_000);

    expect(pids.filter(alive)).toEqual([]);
    expect(await portInUse(port)).toBeUndefined();
    expect(await portInUse(dynamoDbPort)).toBeUndefined();
  });
});

describe('npm start refuses to start, in one line, with a non-zero exit', () => {
  const runStart = (env: NodeJS.ProcessEnv) => {
    const launched = launch(process.execPath, [TSX_CLI, 'local/start.ts'], env);
    return Promise.race([
      launched.exited.then((exit) => ({ ...exit, stderr: launched.stderr, launched })),
      deadline(60_000).then(() => {
        killEverything(launched, []);
        throw new Error(`start did not exit:\n${launched.stdout}\n${launched.stderr}`);
      }),
    ]);
  };

  it('when the HTTP port is busy', async () => {
    const blocker = net.createServer();
    const port = await findFreePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    const localDir = mkdtempSync(path.join(os.tmpdir(), 'mms-local-e2e-'));
    try {
      const result = await runStart(childEnv({ PORT: String(port), LOCAL_DIR: localDir }));

      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toMatch(
        new RegExp(`^npm start: Port ${port} on 127\\.0\\.0\\.1 is already in use: [^\\n]*PORT=[^\\n]*$`),
      );
      expect(descendants(result.launched.child.pid as number)).toEqual([]);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
      rmSync(localDir, { recursive: true, force: true });
    }
  });

  it('when Java is missing', async () => {
    const localDir = mkdtempSync(path.join(os.tmpdir(), 'mms-local-e2e-'));
    const port = await findFreePort();
    try {
      // tsx starts node by its absolute path, so a PATH without java (and without node) is enough.
      const result = await runStart(childEnv({ PORT: String(port), LOCAL_DIR: localDir, PATH: '/nonexistent' }));

      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toMatch(/^npm start: Java not found: DynamoDB Local needs Java 17\+ on the PATH[^\n]*$/);
      expect(await portInUse(port)).toBeUndefined();
    } finally {
      rmSync(localDir, { recursive: true, force: true });
    }
  });
});
