/**
 * `npm run republish` against DynamoDB Local and the local EventBridge stand-in
 * (`local/eventbridge-local.ts`, which records what it receives): the postbacks are stored by
 * the real ingest handler, published once from the stream, then published again from their
 * history entries by the CLI, through the SDK's default chain and the standard
 * `AWS_ENDPOINT_URL_*` variables.
 */
import { randomUUID } from 'node:crypto';
import { main } from '../../scripts/republish';
import { fixture } from '../helpers/fixtures';
import { type IngestHarness, startIngestHarness } from '../helpers/ingest-harness';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngestHarness();
});
afterAll(() => h.close());

const run = async (argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...argv, '--table', h.table.tableName, '--event-bus', 'test-bus'], {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out, err };
};
const ofMessage = (trackingId: string) =>
  h.bus.events.filter((e) => (e.detail as { trackingId?: string }).trackingId === trackingId).map((e) => e.detailType);

describe('npm run republish', () => {
  const a = `republish-a-${randomUUID()}`;
  const b = `republish-b-${randomUUID()}`;
  let since: string;

  beforeAll(async () => {
    since = new Date(Date.now() - 1000).toISOString();
    await h.post({ ...fixture('n101'), 'tracking-id': a, timestamp: '2026-04-24T18:30:00Z' });
    await h.post({ ...fixture('n102'), 'tracking-id': a, timestamp: '2026-04-24T18:31:00Z' });
    await h.post({ ...fixture('e102'), 'tracking-id': b });
    await h.publishFromStream(); // published once, from the stream
    h.bus.reset();
  });

  it('lists what it would publish in a dry run, and publishes nothing', async () => {
    const { code, out } = await run(['--since', since, '--tracking-id', a, '--dry-run']);

    expect(code).toBe(0);
    expect(out.filter((line) => line.startsWith('would publish'))).toEqual([
      expect.stringContaining(`${a} MMS Sent`),
      expect.stringContaining(`${a} MMS Delivered`),
    ]);
    expect(h.bus.events).toHaveLength(0);
  });

  it('publishes again the events of one message (a Query), in the order its entries were stored, with the stored isLatest', async () => {
    const { code, out } = await run(['--since', since, '--tracking-id', a]);

    expect(code).toBe(0);
    expect(out.at(-1)).toBe('2 entries found, 2 event(s) published');
    expect(ofMessage(a)).toEqual(['MMS Sent', 'MMS Delivered']);
    expect(h.bus.events.map((e) => (e.detail as { isLatest: boolean }).isLatest)).toEqual([true, true]);
    expect(ofMessage(b)).toEqual([]);
    h.bus.reset();
  });

  it('publishes again every entry of the window without a tracking-id (a Scan), and none outside it', async () => {
    const all = await run(['--since', since]);
    expect(all.code).toBe(0);
    expect(ofMessage(a)).toEqual(['MMS Sent', 'MMS Delivered']);
    expect(ofMessage(b)).toEqual(['MMS Rejected']);
    h.bus.reset();

    const before = await run(['--since', '2026-01-01', '--until', since]);
    expect(before.out.at(-1)).toBe('0 entries found, 0 event(s) published');
    expect(h.bus.events).toHaveLength(0);
  });

  it('exits 1 when EventBridge keeps failing, naming where to start again', async () => {
    h.bus.injectFault('http500', 1_000);
    try {
      const { code, err } = await run(['--since', since, '--tracking-id', b]);
      expect(code).toBe(1);
      expect(err.join('\n')).toMatch(/PutEvents still failed from postback [0-9a-f]{32} on/);
    } finally {
      h.bus.clearFaults();
    }
  }, 60_000);

  it('exits 2 with the usage on a bad command line (a date that is not on the calendar)', async () => {
    const { code, err } = await run(['--since', '2026-02-30']);
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/^republish: --since is not a calendar date and time: "2026-02-30"\n\nusage: npm run republish/);
  });
});
