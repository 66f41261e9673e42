/**
 * What the ingest function writes to its logs: structured JSON, the ids on every line of
 * a postback, phone numbers masked, and never the secret.
 */
import { randomUUID } from 'node:crypto';
import { captureOutput } from '../../helpers/captured-output';
import { fixture } from '../../helpers/fixtures';
import { type IngestHarness, startIngestHarness, TEST_SECRET } from '../../helpers/ingest-harness';

let h: IngestHarness;
let output: ReturnType<typeof captureOutput>;
/** The JSON lines written since the test started. */
const lines = () => output.lines.filter((line) => line.startsWith('{'));

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  h = await startIngestHarness();
  output = captureOutput();
});
afterAll(async () => {
  output.restore();
  await h.close();
});
beforeEach(() => {
  output.clear();
});

const parsed = () => lines().map((line) => JSON.parse(line) as Record<string, unknown>);

it('logs JSON lines with trackingId and postbackId, and masks phone numbers (at DEBUG)', async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  const debug = h.handlerWith({});
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  const trackingId = `log-${randomUUID()}`;
  const res = await h.post({ ...fixture('n102'), 'tracking-id': trackingId, status: 'Sent' }, {}, debug);

  const logs = parsed().filter((l) => l.service === 'mms-postbacks' && l.message !== undefined);
  expect(logs.map((l) => l.message)).toEqual(['Status text disagrees with the code; the code decides', 'Postback accepted']);
  for (const log of logs) expect(log).toMatchObject({ trackingId, postbackId: res.body.postbackId });
  expect(logs[1]).toMatchObject({ to: '*******0001', from: '*******1234' });
  expect(lines().join('\n')).not.toContain('17745550001');
  expect(lines().join('\n')).not.toContain('18885551234');
});

it('logs no line for an accepted postback at the default level (the EMF and access-log lines tell it)', async () => {
  const res = await h.post({ ...fixture('n101'), 'tracking-id': `log-${randomUUID()}` });

  expect(res.body.result).toBe('accepted');
  expect(parsed().filter((l) => l.service === 'mms-postbacks' && l.message !== undefined)).toEqual([]);
});

it('logs a refused request with its source IP and no body, and never the secret', async () => {
  const wrong = `${TEST_SECRET}-wrong`;
  await h.post(fixture('n101'), { headers: { 'Content-Type': 'application/json' }, query: { token: wrong }, sourceIp: '198.51.100.7' });
  await h.post('{bad json', { query: { token: TEST_SECRET }, headers: { 'Content-Type': 'application/json' } });

  const all = lines().join('\n');
  expect(parsed()).toContainEqual(expect.objectContaining({ message: 'Unauthorized postback request', sourceIp: '198.51.100.7' }));
  expect(all).not.toContain(TEST_SECRET);
  expect(all).not.toContain('abc123xyz'); // the refused body is not logged
});

it('logs a refused postback once, with its reason and the refusal text under keys Powertools does not reserve', async () => {
  const res = await h.post('{bad json', { query: { token: TEST_SECRET }, headers: { 'Content-Type': 'application/json' } });

  expect(res.statusCode).toBe(400);
  const warnings = parsed().filter((l) => l.level === 'WARN');
  // One line per refusal: no "The key "message" is a reserved key and will be dropped." beside it.
  expect(warnings).toEqual([
    expect.objectContaining({
      message: 'Postback refused and kept as a rejected record',
      reason: 'invalid_json',
      statusCode: 400,
      refusal: expect.stringMatching(/\S/),
    }),
  ]);
});
