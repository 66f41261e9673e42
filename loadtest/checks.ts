/**
 * The load test's checks: what was sent and answered (the {@link Workload} ledger) against
 * what DynamoDB Local holds and what the local EventBridge wrote to `events.jsonl`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ATTRIBUTE } from '../lambda/table/attributes';
import { itemTypeOf } from '../lambda/table/keys';
import { localDynamoDbClient } from '../local/dynamodb-local';
import type { Answer, SentPostback, Workload } from './workload';
import { BAD_STATUS } from './workload';

export type Verdict = 'PASS' | 'FAIL' | 'WARN';

export interface CheckResult {
  readonly name: string;
  readonly verdict: Verdict;
  readonly summary: string;
  /** Up to a few examples of what went wrong. */
  readonly examples: readonly unknown[];
}

interface HistoryItem {
  readonly trackingId: string;
  readonly postbackId: string;
}

/** One event as the local EventBridge recorded it. */
export interface StoredEvent {
  readonly detailType: string;
  readonly receivedAt: string;
  readonly trackingId?: string;
  readonly isLatest: unknown;
}

export interface Stored {
  readonly history: HistoryItem[];
  readonly states: Map<string, string>;
  readonly rejected: number;
  /** postbackId -> events with that id in `Detail.postbackId`. */
  readonly events: Map<string, StoredEvent[]>;
  readonly eventTrackingIds: Set<string>;
  readonly eventCount: number;
}

/** How the run was made, and what the fault proxies saw. */
export interface CheckOptions {
  /** Faults were injected (5xx are then allowed, as 503s). */
  readonly faults: boolean;
  /** Answers were lost after the work was done (`--lost-responses`). */
  readonly lostResponses?: boolean;
  /**
   * From the fault report: the postbackIds of PutEvents requests whose answer the fault proxy
   * dropped after EventBridge took them, one element per loss.
   */
  readonly lostEventBridgeAnswers?: readonly string[];
  /**
   * From the fault report: how often the local event source mapping delivered each record it
   * delivered more than once (by postbackId), because the publisher reported an earlier record
   * of its batch failed, or failed whole, after its own retries of EventBridge.
   */
  readonly redeliveredPostbackIds?: Readonly<Record<string, number>>;
  /** From the fault report: whether any fault window hit EventBridge (a re-delivery needs one). */
  readonly eventBridgeFaulted?: boolean;
}

const s = (item: Record<string, AttributeValue>, name: string): string => item[name]?.S ?? '';

/** Reads the whole table (directly from DynamoDB Local, never through a fault proxy) and the events file. */
export async function readStored(dynamoDbEndpoint: string, tableName: string, eventsFile: string): Promise<Stored> {
  const client = localDynamoDbClient(dynamoDbEndpoint);
  const history: HistoryItem[] = [];
  const states = new Map<string, string>();
  let rejected = 0;
  try {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) {
        const type = itemTypeOf(item);
        if (type?.type === 'rejected') rejected++;
        else if (type?.type === 'state') states.set(type.trackingId, s(item, ATTRIBUTE.postbackId));
        else if (type?.type === 'history') {
          history.push({ trackingId: type.trackingId, postbackId: s(item, ATTRIBUTE.postbackId) });
        }
      }
      start = page.LastEvaluatedKey;
    } while (start);
  } finally {
    client.destroy();
  }
  const events = new Map<string, StoredEvent[]>();
  const eventTrackingIds = new Set<string>();
  let eventCount = 0;
  if (existsSync(eventsFile)) {
    for (const line of readFileSync(eventsFile, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      eventCount++;
      const e = JSON.parse(line) as {
        detailType: string;
        receivedAt: string;
        detail?: { postbackId?: string; trackingId?: string; isLatest?: unknown };
      };
      const id = e.detail?.postbackId ?? '(none)';
      const list = events.get(id) ?? [];
      list.push({ detailType: e.detailType, receivedAt: e.receivedAt, trackingId: e.detail?.trackingId, isLatest: e.detail?.isLatest });
      events.set(id, list);
      if (e.detail?.trackingId) eventTrackingIds.add(e.detail.trackingId);
    }
  }
  return { history, states, rejected, events, eventTrackingIds, eventCount };
}

/**
 * Milliseconds from each postback's first 2xx answer (the sender's clock) to its first event
 * (the local EventBridge's clock: the same machine), for the postbacks that have both.
 */
export function eventLatencies(w: Pick<Workload, 'postbacks'>, stored: Pick<Stored, 'events'>): number[] {
  const out: number[] = [];
  for (const p of w.postbacks) {
    const answeredAt = first2xxAt(p);
    const event = stored.events.get(p.postbackId)?.[0];
    const at = event ? Date.parse(event.receivedAt) : Number.NaN;
    if (Number.isFinite(answeredAt) && Number.isFinite(at)) out.push(at - answeredAt);
  }
  return out;
}

const got2xx = (p: SentPostback) => p.answers.some((a) => a.status >= 200 && a.status < 300);
const first2xxAt = (p: SentPostback) => p.answers.find((a) => a.status >= 200 && a.status < 300)?.at ?? Number.POSITIVE_INFINITY;

/**
 * The `isLatest` a postback's event must carry, as far as the ledger proves it, or
 * `undefined` when a postback of the same message raced it. It is `false` when the postback
 * can never be the latest state, or when a postback of higher precedence was answered 2xx
 * before it was first sent (that one was stored first); it is `true` when every postback of
 * the message that may have been stored before it (first sent before it was answered) has a
 * lower precedence.
 */
export function expectedIsLatest(p: SentPostback, message: readonly SentPostback[]): boolean | undefined {
  if (p.precedence === undefined) return false;
  const own = p.precedence;
  const others = message.filter((q) => q.postbackId !== p.postbackId && q.precedence !== undefined);
  const storedBefore = others.filter((q) => first2xxAt(q) < (p.firstSentAt ?? Number.NEGATIVE_INFINITY));
  if (storedBefore.some((q) => (q.precedence as string) > own)) return false;
  const mayBeBefore = others.filter((q) => (q.firstSentAt ?? Number.POSITIVE_INFINITY) < first2xxAt(p));
  if (mayBeBefore.every((q) => (q.precedence as string) < own)) return true;
  return undefined;
}
const brief = (p: SentPostback) => ({
  postbackId: p.postbackId,
  trackingId: p.trackingId,
  code: p.code,
  answers: p.answers.map((a) => `${a.status}${a.result ? ` ${a.result}` : ''} (${a.phase})`),
  unanswered: p.unanswered,
});

function result(name: string, failures: unknown[], ok: string, bad: (n: number) => string): CheckResult {
  return failures.length === 0
    ? { name, verdict: 'PASS', summary: ok, examples: [] }
    : { name, verdict: 'FAIL', summary: bad(failures.length), examples: failures.slice(0, 5) };
}

/**
 * Runs every check of the ledger against what was stored and published. Each check FAILs on
 * the defect it guards (see `docs/reliability.md`); the only WARN left is a doubled event
 * that the fault report proves to be a lost EventBridge answer.
 *
 * @example
 * const checks = runChecks(workload, await readStored(endpoint, table, eventsFile), { faults: false });
 */
export function runChecks(w: Pick<Workload, 'postbacks' | 'bad'>, stored: Stored, options: CheckOptions): CheckResult[] {
  const { faults, lostResponses = false } = options;
  const checks: CheckResult[] = [];
  const sent = w.postbacks.filter((p) => p.answers.length + p.unanswered > 0);
  const done = sent.filter(got2xx);
  const historyById = new Map<string, HistoryItem[]>();
  for (const h of stored.history) {
    const list = historyById.get(h.postbackId) ?? [];
    list.push(h);
    historyById.set(h.postbackId, list);
  }
  const eventsOf = (p: SentPostback) => stored.events.get(p.postbackId) ?? [];

  // Nothing lost at the sender: every valid postback ends with a 2xx (after the drain).
  const neverDone = sent.filter((p) => !got2xx(p));
  checks.push(
    result(
      'every valid postback answered 2xx in the end',
      neverDone.map(brief),
      `${done.length} of ${sent.length} distinct postbacks`,
      (n) => `${n} of ${sent.length} never got a 2xx (the drain gave up)`,
    ),
  );

  // The 200 bodies name the postback we sent.
  const wrongIds = done.filter((p) =>
    p.answers.some((a) => a.status === 200 && (a.postbackId !== p.postbackId || a.trackingId !== p.trackingId)),
  );
  checks.push(
    result(
      '200 answers carry our postbackId/trackingId',
      wrongIds.map(brief),
      'all match',
      (n) => `${n} postbacks answered with other ids`,
    ),
  );

  // One `accepted` per postback: every later copy is a `duplicate` (or a 503 while in progress).
  const acceptedTwice = done.filter((p) => p.answers.filter((a) => a.result === 'accepted').length > 1);
  const copies = sent.filter((p) => p.answers.length + p.unanswered > 1).length;
  checks.push(
    result(
      'no postback answered accepted twice',
      acceptedTwice.map(brief),
      `${copies} postbacks sent more than once, each accepted once`,
      (n) => `${n} postbacks answered accepted more than once`,
    ),
  );

  // Exactly one history entry per 2xx'd postback.
  const historyWrong = done.filter((p) => (historyById.get(p.postbackId)?.length ?? 0) !== 1);
  checks.push(
    result(
      'exactly one history entry per 2xx postback',
      historyWrong.map((p) => ({ ...brief(p), historyEntries: historyById.get(p.postbackId)?.length ?? 0 })),
      `${done.length} postbacks, ${stored.history.length} history entries`,
      (n) => `${n} postbacks with no or several history entries`,
    ),
  );
  // Exactly one event per 2xx'd postback: none lost, none doubled.
  const missing = done.filter((p) => eventsOf(p).length === 0);
  checks.push(
    result(
      'no event lost (>= 1 event per 2xx postback)',
      missing.map(brief),
      `${done.length} postbacks have their event`,
      (n) => `${n} postbacks answered 2xx without an event`,
    ),
  );
  // A second event is the documented limit in two cases only, each counted apart:
  // - re-sent: the event source mapping delivered the record again (the publisher reported an
  //   earlier record of its batch failed after its own retries of a failing EventBridge, and
  //   Lambda re-delivers from that record on), so an event already out went again; the local
  //   mapping counts each record's deliveries (the fault report), and a re-delivery needs an
  //   EventBridge fault window: with DynamoDB faults alone, no event may be doubled;
  // - a lost answer: EventBridge took a PutEvents whose answer the fault proxy dropped
  //   (`--lost-responses`; PutEvents has no idempotency key).
  const lostAnswers = new Map<string, number>();
  for (const id of options.lostEventBridgeAnswers ?? []) lostAnswers.set(id, (lostAnswers.get(id) ?? 0) + 1);
  const redelivered = options.redeliveredPostbackIds ?? {};
  const resendsAllowed = (id: string) => (options.eventBridgeFaulted ? Math.max(0, (redelivered[id] ?? 1) - 1) : 0);
  const doubled = [...stored.events.entries()].filter(([, list]) => list.length > 1);
  const explainedBy = (id: string, count: number): 'resent' | 'lost answer' | undefined => {
    const resends = resendsAllowed(id);
    if (count <= 1 + resends) return 'resent';
    if (lostResponses && count <= 1 + resends + (lostAnswers.get(id) ?? 0)) return 'lost answer';
    return undefined;
  };
  const explained = doubled.map(([id, list]) => ({ id, list, why: explainedBy(id, list.length) })).filter((d) => d.why !== undefined);
  const unexplained = doubled.filter(([id]) => !explained.some((d) => d.id === id));
  const resent = explained.filter((d) => d.why === 'resent');
  const lost = explained.filter((d) => d.why === 'lost answer');
  checks.push(
    unexplained.length > 0
      ? result(
          'no event doubled (<= 1 event per postback)',
          unexplained.map(([id, list]) => ({
            postbackId: id,
            events: list,
            deliveries: redelivered[id] ?? 1,
            lostEventBridgeAnswers: lostAnswers.get(id) ?? 0,
          })),
          '',
          (n) =>
            `${n} postbacks published more than once, not explained by a re-delivery of the stream after an EventBridge failure${lostResponses ? ' or a lost EventBridge answer' : ''}`,
        )
      : explained.length > 0
        ? {
            name: 'no event doubled (<= 1 event per postback)',
            verdict: 'WARN',
            summary: [
              resent.length > 0
                ? `${resent.length} postbacks re-sent: an EventBridge failure outlasted the publisher's retries and the mapping re-delivered their records`
                : '',
              lost.length > 0 ? `${lost.length} postbacks published twice after the fault proxy dropped EventBridge's answer` : '',
            ]
              .filter(Boolean)
              .join('; ')
              .concat(' (at-least-once; consumers deduplicate on postbackId)'),
            examples: explained.slice(0, 5).map((d) => ({ postbackId: d.id, events: d.list.length, why: d.why })),
          }
        : {
            name: 'no event doubled (<= 1 event per postback)',
            verdict: 'PASS',
            summary: `${stored.eventCount} events for ${stored.events.size} postbackIds`,
            examples: [],
          },
  );

  // Each event says what happened: the detail-type of its code, its message.
  const wrongType = done.flatMap((p) =>
    eventsOf(p)
      .filter((e) => e.detailType !== p.detailType || (e.trackingId !== undefined && e.trackingId !== p.trackingId))
      .map((e) => ({ ...brief(p), expected: p.detailType, got: e.detailType, eventTrackingId: e.trackingId })),
  );
  checks.push(
    result(
      'every event has the detail-type of its code',
      wrongType,
      `${stored.eventCount} events`,
      (n) => `${n} events with a wrong detail-type or tracking-id`,
    ),
  );

  // isLatest: what the ledger proves about the state when the postback was claimed.
  const byTracking = new Map<string, SentPostback[]>();
  for (const p of done) byTracking.set(p.trackingId, [...(byTracking.get(p.trackingId) ?? []), p]);
  const latestWrong: unknown[] = [];
  let latestDecided = 0;
  for (const p of done) {
    const expected = expectedIsLatest(p, byTracking.get(p.trackingId) ?? []);
    const accepted = p.answers.find((a) => a.result === 'accepted');
    const seen = [...eventsOf(p).map((e) => e.isLatest), ...(accepted?.latest === undefined ? [] : [accepted.latest])];
    if (expected !== undefined) latestDecided++;
    const bad = seen.filter((v) => typeof v !== 'boolean' || (expected !== undefined && v !== expected));
    if (bad.length > 0) latestWrong.push({ ...brief(p), expectedIsLatest: expected ?? 'either', got: seen });
  }
  checks.push(
    result(
      'isLatest of every event and answer follows the rule',
      latestWrong,
      `${latestDecided} of ${done.length} decided by the ledger (the others raced a postback of their message), all match`,
      (n) => `${n} postbacks with a wrong isLatest`,
    ),
  );

  // No event, history or state for anything that was never answered 2xx, or for bad input.
  const known = new Set(done.map((p) => p.postbackId));
  const stray = [...stored.events.keys()].filter((id) => !known.has(id));
  const strayHistory = stored.history.filter((h) => !known.has(h.postbackId));
  checks.push(
    result(
      'no event or history entry for a postback never answered 2xx',
      [
        ...stray.map((id) => {
          const p = w.postbacks.find((q) => q.postbackId === id);
          return { event: id, ...(p ? { postback: brief(p) } : {}) };
        }),
        ...strayHistory,
      ],
      'none',
      // Under faults a postback may be stored and published while every answer to it was lost;
      // the drain retries it, so a stray here means the drain gave up.
      (n) => `${n} strays`,
    ),
  );

  // The latest state of each tracking-id follows the rule, whatever the arrival order.
  const stateWrong: unknown[] = [];
  for (const [trackingId, list] of byTracking) {
    let expected: SentPostback | undefined;
    for (const p of list) {
      if (p.precedence === undefined) continue; // unknown codes and far-future timestamps never become the latest state
      if (expected === undefined || p.precedence > (expected.precedence as string)) expected = p;
    }
    const actual = stored.states.get(trackingId);
    if ((expected?.postbackId ?? undefined) !== actual) {
      stateWrong.push({
        trackingId,
        expected: expected && `${expected.code} ${expected.instantKey}`,
        expectedId: expected?.postbackId,
        actualId: actual,
      });
    }
  }
  checks.push(
    result(
      'latest state of every tracking-id follows the rule',
      stateWrong,
      `${byTracking.size} tracking-ids (${done.filter((p) => p.outOfOrder).length} postbacks sent out of order)`,
      (n) => `${n} tracking-ids with a wrong state`,
    ),
  );

  // Bad input: the expected 4xx, and nothing stored or published for it.
  const badWrong = w.bad
    .filter((b) => b.answers.length + b.unanswered > 0)
    .filter((b) => {
      const last = b.answers[b.answers.length - 1];
      return last?.status !== BAD_STATUS[b.kind];
    });
  const badTracking = new Set(w.bad.map((b) => b.trackingId));
  const badStored = [
    ...stored.history.filter((h) => badTracking.has(h.trackingId)),
    ...[...stored.states.keys()].filter((t) => badTracking.has(t)),
    ...[...stored.eventTrackingIds].filter((t) => badTracking.has(t)),
  ];
  checks.push(
    result(
      'bad input answered 4xx, never stored or published',
      [...badWrong.map((b) => ({ kind: b.kind, answers: b.answers.map((a) => a.status), unanswered: b.unanswered })), ...badStored],
      `${w.bad.length} bad requests`,
      (n) => `${n} problems`,
    ),
  );

  // Rejected records: one per authenticated bad request that reached the function (401s are
  // never stored); a request whose answer was lost may have been kept before its retry was.
  const authenticated = w.bad.filter((b) => b.kind !== 'unauthorized');
  const keptMin = authenticated.filter((b) => b.answers.some((a) => a.status === BAD_STATUS[b.kind])).length;
  // Under faults a 503 may also follow a stored record (its DynamoDB answer was lost, `--lost-responses`).
  const mayHaveKept = (status: number, kind: keyof typeof BAD_STATUS) => status === BAD_STATUS[kind] || (faults && status >= 500);
  const keptMax = authenticated.reduce((n, b) => n + b.answers.filter((a) => mayHaveKept(a.status, b.kind)).length + b.unanswered, 0);
  const keptOk = stored.rejected >= keptMin && stored.rejected <= keptMax;
  checks.push({
    name: 'refused postbacks kept as rejected records',
    verdict: keptOk ? 'PASS' : 'FAIL',
    summary: `${stored.rejected} records for ${keptMin} refused requests (at most ${keptMax - keptMin} more from attempts whose answer was lost)`,
    examples: [],
  });

  // 5xx: only 503 + Retry-After + {"error":"unavailable"}; without faults, only for a request
  // that raced another of its tracking-id (the same postback in progress, or a transaction conflict).
  const all = [...w.postbacks.flatMap((p) => p.answers), ...w.bad.flatMap((b) => b.answers)];
  const fiveXx = all.filter((a) => a.status >= 500);
  const wellFormed = (a: Answer) => a.status === 503 && a.result === 'unavailable' && Boolean(a.retryAfter);
  if (!faults) {
    const unexpected = fiveXx.filter((a) => !(a.raced && wellFormed(a)));
    checks.push(
      result(
        'no 5xx without an injected fault, but 503 in progress for racing requests',
        unexpected,
        `${fiveXx.length} answers were 503 to a racing request, all well formed`,
        (n) => `${n} 5xx answers not explained by a race`,
      ),
    );
  } else {
    const malformed = fiveXx.filter((a) => !wellFormed(a));
    checks.push(
      result(
        'every 5xx under faults is 503 unavailable with Retry-After',
        malformed,
        `${fiveXx.length} answers were 503, all well formed`,
        (n) => `${n} malformed 5xx answers`,
      ),
    );
  }
  return checks;
}
