/**
 * Property-based tests of the real ingest handler against DynamoDB Local: arbitrary input
 * never breaks it, and delivery order, duplicates and concurrency never change the outcome.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { lookupCode } from '../../../lambda/domain/catalog';
import { supersedes } from '../../../lambda/domain/state-rule';
import { validatePostback } from '../../../lambda/domain/validate';
import { formatTimestamp, messageCodeArb, offsetArb } from '../../helpers/arbitraries';
import { interpreted } from '../../helpers/fixtures';
import { type IngestHarness, type PostResult, startIngestHarness, TEST_SECRET } from '../../helpers/ingest-harness';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngestHarness();
});
afterAll(() => h.close());

function expectJsonAnswer(res: PostResult, valid: boolean) {
  expect(res.statusCode).toBeLessThan(500);
  if (valid) expect(res.statusCode).toBe(200);
  else expect([400, 413, 415]).toContain(res.statusCode);
  expect(res.body).toEqual(
    res.statusCode === 200
      ? expect.objectContaining({ result: expect.any(String) })
      : expect.objectContaining({ error: expect.any(String) }),
  );
}

describe('any input gets a JSON answer, 4xx unless it is a valid postback, never 5xx', () => {
  it('arbitrary bytes (base64-encoded)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        const res = await h.post(Buffer.from(bytes).toString('base64'), {
          isBase64Encoded: true,
          headers: { 'X-Postback-Token': TEST_SECRET, 'Content-Type': 'application/json' },
        });
        expectJsonAnswer(res, false);
      }),
      { numRuns: 100 },
    );
  });

  it('arbitrary strings and JSON values, including __proto__ and constructor keys', async () => {
    const withNastyKeys = fc
      .jsonValue()
      .map((value) => (value && typeof value === 'object' && !Array.isArray(value) ? { ...value } : value));
    const input = fc.oneof(
      fc.string().map((text) => ({ text })),
      withNastyKeys.map((value) => ({ text: JSON.stringify(value) ?? 'null' })),
      fc.constant({ text: '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}' }),
    );
    await fc.assert(
      fc.asyncProperty(input, async ({ text }) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        const valid = parsed !== undefined && validatePostback(parsed).ok;
        const res = await h.post(text);
        expectJsonAnswer(res, valid);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });
});

describe('order independence', () => {
  // One message: up to 4 distinct postbacks (distinct instants, so that no two tie), delivered
  // in any order, each at least once and possibly several times, sequentially or concurrently.
  const messageArb = fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 4 }).chain((seconds) =>
    fc.record({
      postbacks: fc.tuple(...seconds.map((s) => fc.tuple(messageCodeArb, offsetArb).map(([code, offset]) => ({ code, s, offset })))),
      extraCopies: fc.array(fc.nat({ max: seconds.length - 1 }), { maxLength: 4 }),
      order: fc.array(fc.nat(), { minLength: 10, maxLength: 10 }),
      concurrent: fc.boolean(),
    }),
  );

  it('gives the same final state, history and set of events for any delivery', async () => {
    await fc.assert(
      fc.asyncProperty(messageArb, async ({ postbacks, extraCopies, order, concurrent }) => {
        const trackingId = `prop-${randomUUID()}`;
        const bodies = postbacks.map(({ code, s, offset }) => ({
          origin: 'MMS_MT',
          code,
          status: lookupCode(code)?.status ?? 'Unknown',
          'tracking-id': trackingId,
          to: '17745550001',
          timestamp: formatTimestamp(Date.parse('2026-04-24T18:00:00Z') + s * 1000, offset, false),
        }));
        const deliveries = [...bodies.map((_, i) => i), ...extraCopies]
          .map((index, i) => ({ index, key: order[i % order.length]! + i / 100 }))
          .sort((a, b) => a.key - b.key)
          .map(({ index }) => bodies[index]!);

        if (concurrent) await Promise.all(deliveries.map((body) => h.postUntilDone(body)));
        else for (const body of deliveries) await h.postUntilDone(body);

        // The expected outcome, from the reference rule over the distinct postbacks.
        const records = bodies.map((body) => interpreted(body, new Date()));
        let expected: (typeof records)[number] | undefined;
        for (const r of records) {
          if (!r.catalogEntry) continue;
          const key = { rank: r.catalogEntry.rank, instantKey: r.instant.key, outcome: r.outcome, postbackId: r.postbackId };
          const current = expected?.catalogEntry
            ? {
                rank: expected.catalogEntry.rank,
                instantKey: expected.instant.key,
                outcome: expected.outcome,
                postbackId: expected.postbackId,
              }
            : undefined;
          if (supersedes(key, current)) expected = r;
        }
        const ids = records.map((r) => r.postbackId).sort();

        expect((await h.state(trackingId))?.postbackId).toBe(expected?.postbackId);
        expect((await h.history(trackingId)).map((e) => e.postbackId).sort()).toEqual(ids);
        expect((await h.eventsFor(trackingId)).map((e) => e.detail.postbackId).sort()).toEqual(ids);
      }),
      { numRuns: 40 },
    );
  });
});
