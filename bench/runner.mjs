// The child process of the benchmark: a fresh `node` that loads the bundle exactly as built
// for the stack and runs the handler on commands received over IPC. Plain JavaScript on
// purpose: no loader (tsx, ts-node) may sit between node and the bundle.
//
//   node [--enable-source-maps] bench/runner.mjs <bundle.mjs>
//
// Messages to the parent:  {type:'ready', bootMs, initMs} once the bundle is loaded, then one
// answer per command: {cmd:'invoke', event[, marker]} -> {type:'invoke', ms, cpuUs, response} (the
// marker, when given, is printed on stdout once the handler has returned);
// {cmd:'loop', file} -> {type:'loop', latencies, cpuUs, answers, wrong}; {cmd:'exit'}.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const bootMs = performance.now(); // time from process start to this line (node bootstrap)
const bundle = process.argv[2];
if (!bundle || !process.send) {
  process.stderr.write('usage: node bench/runner.mjs <bundle.mjs> (as an IPC child of bench/run.ts)\n');
  process.exit(2);
}

let invocations = 0;
/** A Lambda context as the runtime passes it. */
function context() {
  invocations += 1;
  const deadline = Date.now() + 29_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'bench-ingest',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench-ingest',
    memoryLimitInMB: '512',
    awsRequestId: `bench-${process.pid}-${invocations}`,
    logGroupName: '/aws/lambda/bench-ingest',
    logStreamName: '2026/04/24/[$LATEST]bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function cpuUs(start) {
  const d = process.cpuUsage(start);
  return d.user + d.system;
}

const t0 = performance.now();
const mod = await import(pathToFileURL(bundle).href);
const initMs = performance.now() - t0;
const handler = mod.handler;
if (typeof handler !== 'function') {
  process.stderr.write(`the bundle exports no handler function (exports: ${Object.keys(mod).join(', ')})\n`);
  process.exit(3);
}
process.send({ type: 'ready', bootMs, initMs });

/** The answer kind: 'accepted' | 'duplicate' | 'status <code>'. */
function kind(response) {
  if (response?.statusCode === 200) {
    try {
      const body = JSON.parse(response.body);
      if (body.result === 'accepted' || body.result === 'duplicate') return body.result;
    } catch {
      // fall through
    }
  }
  return `status ${response?.statusCode}`;
}

async function run(message) {
  if (message.cmd === 'invoke') {
    const c0 = process.cpuUsage();
    const s = performance.now();
    const response = await handler(message.event, context());
    const ms = performance.now() - s;
    // Everything the handler printed is in the pipe before this line (pipe writes are synchronous).
    if (message.marker) process.stdout.write(`${message.marker}\n`);
    return { type: 'invoke', ms, cpuUs: cpuUs(c0), response };
  }
  if (message.cmd === 'loop') {
    const events = JSON.parse(readFileSync(message.file, 'utf8'));
    const expect = message.expect ?? 'accepted';
    const latencies = new Array(events.length);
    const answers = {};
    const wrong = [];
    const c0 = process.cpuUsage();
    for (let i = 0; i < events.length; i++) {
      const s = performance.now();
      const response = await handler(events[i], context());
      latencies[i] = performance.now() - s;
      const k = kind(response);
      answers[k] = (answers[k] ?? 0) + 1;
      if (k !== expect && wrong.length < 5) wrong.push({ index: i, response });
    }
    const used = cpuUs(c0);
    return { type: 'loop', latencies, cpuUs: used, answers, wrong, heapUsed: process.memoryUsage().heapUsed };
  }
  if (message.cmd === 'exit') {
    process.exit(0);
  }
  throw new Error(`unknown command ${JSON.stringify(message.cmd)}`);
}

process.on('message', (message) => {
  run(message).then(
    (answer) => process.send(answer),
    (error) => process.send({ type: 'error', message: String(error?.stack ?? error) }),
  );
});
