/**
 * The load test's checks must be able to fail: each one is fed a ledger with one planted
 * defect and must FAIL on it, while the clean ledger passes every check.
 */
import { type CheckOptions, type CheckResult, expectedIsLatest, runChecks, type Stored } from '../../loadtest/checks';
import { type Answer, type BadKind, type BadRequest, type SentPostback, sentPostbackOf, Workload } from '../../loadtest/workload';

const NO_FAULTS: CheckOptions = { faults: false };

function answer(status: number, at: number, result?: string, latest?: boolean, p?: SentPostback): Answer {
  return {
    status,
    at,
    phase: 'load',
    result,
    latest,
    postbackId: p?.postbackId,
    trackingId: p?.trackingId,
    raced: status === 503,
    retryAfter: status === 503 ? '1' : undefined,
  };
}

function mt(trackingId: string, code: string, status: string, timestamp: string): string {
  return JSON.stringify({ origin: 'MMS_MT', code, status, 'tracking-id': trackingId, to: '17745550001', timestamp });
}

function badRequest(index: number, kind: BadKind, status: number): BadRequest {
  return {
    index,
    kind,
    trackingId: `lt-bad-${index}`,
    body: '{}',
    contentType: 'application/json',
    token: 't',
    answers: [answer(status, 1000 + index, kind)],
    unanswered: 0,
  };
}

/**
 * A clean run: message A gets N101 then N102 (and a duplicate copy of N101); message B gets
 * E102, then a far-future N102 (accepted, never the latest state); one invalid postback is
 * refused with 400 (and kept as a rejected record) and one unauthenticated request with 401.
 */
function cleanRun() {
  const sent101 = sentPostbackOf(mt('lt-a', 'N101', 'Sent', '2026-01-01T00:00:01Z'), { index: 0, outOfOrder: false });
  const sent102 = sentPostbackOf(mt('lt-a', 'N102', 'Delivered', '2026-01-01T00:00:02Z'), { index: 1, outOfOrder: false });
  const rejected = sentPostbackOf(mt('lt-b', 'E102', 'Rejected', '2026-01-01T00:00:03Z'), { index: 2, outOfOrder: false });
  const future = sentPostbackOf(mt('lt-b', 'N102', 'Delivered', '9999-12-31T23:59:59Z'), { index: 3, outOfOrder: false });
  const timeline: [SentPostback, number, Answer[]][] = [
    [sent101, 1000, [answer(200, 1100, 'accepted', true, sent101), answer(200, 1500, 'duplicate', undefined, sent101)]],
    [sent102, 1200, [answer(200, 1300, 'accepted', true, sent102)]],
    [rejected, 1000, [answer(503, 1050, 'unavailable'), answer(200, 1200, 'accepted', true, rejected)]],
    [future, 1300, [answer(200, 1400, 'accepted', false, future)]],
  ];
  for (const [p, sentAt, answers] of timeline) {
    p.firstSentAt = sentAt;
    p.answers.push(...answers);
  }
  const postbacks = [sent101, sent102, rejected, future];
  const invalid = badRequest(0, 'validation_failed', 400);
  const unauthorized = badRequest(1, 'unauthorized', 401);
  const event = (p: SentPostback, isLatest: boolean) => ({ detailType: p.detailType, receivedAt: '-', trackingId: p.trackingId, isLatest });
  const stored: Stored = {
    history: postbacks.map((p) => ({ trackingId: p.trackingId, postbackId: p.postbackId })),
    states: new Map([
      ['lt-a', sent102.postbackId],
      ['lt-b', rejected.postbackId],
    ]),
    rejected: 1,
    events: new Map([
      [sent101.postbackId, [event(sent101, true)]],
      [sent102.postbackId, [event(sent102, true)]],
      [rejected.postbackId, [event(rejected, true)]],
      [future.postbackId, [event(future, false)]],
    ]),
    eventTrackingIds: new Set(['lt-a', 'lt-b']),
    eventCount: 4,
  };
  return { ledger: { postbacks, bad: [invalid, unauthorized] }, stored, sent101, sent102, rejected, future, invalid };
}

const verdictOf = (checks: CheckResult[], name: string) => {
  const check = checks.find((c) => c.name === name);
  if (!check) throw new Error(`no check named ${name}: ${checks.map((c) => c.name).join(', ')}`);
  return check.verdict;
};
const failing = (checks: CheckResult[]) => checks.filter((c) => c.verdict !== 'PASS').map((c) => `${c.verdict} ${c.name}`);

describe('load test checks', () => {
  it('pass a clean ledger, with and without faults', () => {
    const run = cleanRun();
    expect(failing(runChecks(run.ledger, run.stored, NO_FAULTS))).toEqual([]);
    expect(failing(runChecks(run.ledger, run.stored, { faults: true, lostResponses: true }))).toEqual([]);
  });

  it('fail on a lost event', () => {
    const run = cleanRun();
    run.stored.events.delete(run.sent102.postbackId);
    expect(failing(runChecks(run.ledger, run.stored, NO_FAULTS))).toEqual(['FAIL no event lost (>= 1 event per 2xx postback)']);
  });

  describe('a doubled event', () => {
    const doubled = () => {
      const run = cleanRun();
      run.stored.events.get(run.sent101.postbackId)?.push({ detailType: 'MMS Sent', receivedAt: '-', trackingId: 'lt-a', isLatest: true });
      return run;
    };
    const name = 'no event doubled (<= 1 event per postback)';

    it('fails a normal run and a fault run', () => {
      const run = doubled();
      expect(failing(runChecks(run.ledger, run.stored, NO_FAULTS))).toEqual([`FAIL ${name}`]);
      expect(verdictOf(runChecks(run.ledger, run.stored, { faults: true }), name)).toBe('FAIL');
    });

    it('fails a --lost-responses run unless the fault report shows a lost EventBridge answer for that postback', () => {
      const run = doubled();
      const lost = (ids: string[]) => runChecks(run.ledger, run.stored, { faults: true, lostResponses: true, lostEventBridgeAnswers: ids });
      expect(verdictOf(lost([]), name)).toBe('FAIL');
      expect(verdictOf(lost([run.sent102.postbackId]), name)).toBe('FAIL'); // another postback's answer was lost
      expect(verdictOf(lost([run.sent101.postbackId]), name)).toBe('WARN');
    });

    it('counts apart a re-sent event: the mapping re-delivered its record after an EventBridge failure; with DynamoDB faults alone it fails', () => {
      const run = doubled();
      const resent = (deliveries: Record<string, number>, eventBridgeFaulted: boolean) =>
        runChecks(run.ledger, run.stored, { faults: true, redeliveredPostbackIds: deliveries, eventBridgeFaulted });
      const check = resent({ [run.sent101.postbackId]: 2 }, true).find((c) => c.name === name);
      expect(check).toEqual(expect.objectContaining({ verdict: 'WARN', summary: expect.stringContaining('1 postbacks re-sent') }));
      expect(check?.examples).toEqual([{ postbackId: run.sent101.postbackId, events: 2, why: 'resent' }]);
      // No EventBridge fault in the run: no re-delivery can explain a second event.
      expect(verdictOf(resent({ [run.sent101.postbackId]: 2 }, false), name)).toBe('FAIL');
      // Another postback was re-delivered, not this one.
      expect(verdictOf(resent({ [run.sent102.postbackId]: 2 }, true), name)).toBe('FAIL');
      // Delivered twice, published three times.
      run.stored.events.get(run.sent101.postbackId)?.push({ detailType: 'MMS Sent', receivedAt: '-', trackingId: 'lt-a', isLatest: true });
      expect(verdictOf(resent({ [run.sent101.postbackId]: 2 }, true), name)).toBe('FAIL');
      expect(verdictOf(resent({ [run.sent101.postbackId]: 3 }, true), name)).toBe('WARN');
    });

    it('fails when the events outnumber the lost answers plus one', () => {
      const run = doubled();
      run.stored.events.get(run.sent101.postbackId)?.push({ detailType: 'MMS Sent', receivedAt: '-', trackingId: 'lt-a', isLatest: true });
      const checks = runChecks(run.ledger, run.stored, {
        faults: true,
        lostResponses: true,
        lostEventBridgeAnswers: [run.sent101.postbackId],
      });
      expect(verdictOf(checks, name)).toBe('FAIL');
    });
  });

  it('fail on a wrong detail-type', () => {
    const run = cleanRun();
    run.stored.events.set(run.sent102.postbackId, [{ detailType: 'MMS Sent', receivedAt: '-', trackingId: 'lt-a', isLatest: true }]);
    expect(failing(runChecks(run.ledger, run.stored, NO_FAULTS))).toEqual(['FAIL every event has the detail-type of its code']);
  });

  it.each([
    ['a postback that superseded the state published with isLatest false', 'sent102', false],
    ['a far-future postback published with isLatest true', 'future', true],
  ] as const)('fail on a wrong isLatest: %s', (_what, which, isLatest) => {
    const run = cleanRun();
    const p = run[which];
    run.stored.events.set(p.postbackId, [{ detailType: p.detailType, receivedAt: '-', trackingId: p.trackingId, isLatest }]);
    expect(failing(runChecks(run.ledger, run.stored, NO_FAULTS))).toEqual(['FAIL isLatest of every event and answer follows the rule']);
  });

  it('fail on an accepted answer whose latest disagrees with the rule', () => {
    const run = cleanRun();
    run.sent102.answers.splice(0, 1, answer(200, 1300, 'accepted', false, run.sent102));
    expect(failing(runChecks(run.ledger, run.stored, NO_FAULTS))).toEqual(['FAIL isLatest of every event and answer follows the rule']);
  });

  it('fail on a postback answered accepted twice', () => {
    const run = cleanRun();
    run.sent101.answers.push(answer(200, 1600, 'accepted', true, run.sent101));
    expect(verdictOf(runChecks(run.ledger, run.stored, { faults: true, lostResponses: true }), 'no postback answered accepted twice')).toBe(
      'FAIL',
    );
  });

  it('fail on a 5xx without a fault that no race explains', () => {
    const run = cleanRun();
    run.rejected.answers.splice(0, 1, { ...(run.rejected.answers[0] as Answer), raced: false });
    expect(failing(runChecks(run.ledger, run.stored, NO_FAULTS))).toEqual([
      'FAIL no 5xx without an injected fault, but 503 in progress for racing requests',
    ]);
  });

  it('fail on a postback that never got a 2xx', () => {
    const run = cleanRun();
    const unanswered = sentPostbackOf(mt('lt-c', 'N101', 'Sent', '2026-01-01T00:00:04Z'), { index: 4, outOfOrder: false });
    unanswered.firstSentAt = 1000;
    unanswered.answers.push(answer(503, 1100, 'unavailable'));
    unanswered.unanswered = 1;
    run.ledger.postbacks.push(unanswered);
    expect(failing(runChecks(run.ledger, run.stored, { faults: true }))).toEqual(['FAIL every valid postback answered 2xx in the end']);
  });

  it('fail on a 200 answer that names another postback', () => {
    const run = cleanRun();
    run.sent102.answers.splice(0, 1, answer(200, 1300, 'accepted', true, run.sent101));
    expect(failing(runChecks(run.ledger, run.stored, NO_FAULTS))).toEqual(['FAIL 200 answers carry our postbackId/trackingId']);
  });

  it('fail on a postback stored twice in the history', () => {
    const run = cleanRun();
    run.stored.history.push({ trackingId: 'lt-a', postbackId: run.sent102.postbackId });
    expect(failing(runChecks(run.ledger, run.stored, NO_FAULTS))).toEqual(['FAIL exactly one history entry per 2xx postback']);
  });

  it.each([
    ['an event', (stored: Stored) => stored.events.set('not-in-the-ledger', [{ detailType: 'MMS Sent', receivedAt: '-', isLatest: true }])],
    ['a history entry', (stored: Stored) => stored.history.push({ trackingId: 'lt-a', postbackId: 'not-in-the-ledger' })],
  ])('fail on %s of a postback never answered 2xx', (_what, plant) => {
    const run = cleanRun();
    plant(run.stored);
    expect(failing(runChecks(run.ledger, run.stored, NO_FAULTS))).toEqual([
      'FAIL no event or history entry for a postback never answered 2xx',
    ]);
  });

  it.each([
    ['answered 200', (run: ReturnType<typeof cleanRun>) => run.invalid.answers.splice(0, 1, answer(200, 1000, 'accepted'))],
    ['given a state', (run: ReturnType<typeof cleanRun>) => run.stored.states.set(run.invalid.trackingId, 'some-postback-id')],
    ['published', (run: ReturnType<typeof cleanRun>) => run.stored.eventTrackingIds.add(run.invalid.trackingId)],
  ])('fail on bad input %s', (_what, plant) => {
    const run = cleanRun();
    plant(run);
    expect(failing(runChecks(run.ledger, run.stored, NO_FAULTS))).toContain('FAIL bad input answered 4xx, never stored or published');
  });

  it.each([0, 2])('fail on %i rejected records for one refused request', (records) => {
    const run = cleanRun();
    expect(failing(runChecks(run.ledger, { ...run.stored, rejected: records }, NO_FAULTS))).toEqual([
      'FAIL refused postbacks kept as rejected records',
    ]);
  });

  it('fail on a 5xx under faults that is not 503 unavailable with Retry-After', () => {
    const run = cleanRun();
    run.rejected.answers.splice(0, 1, { ...(run.rejected.answers[0] as Answer), status: 500 });
    expect(failing(runChecks(run.ledger, run.stored, { faults: true }))).toEqual([
      'FAIL every 5xx under faults is 503 unavailable with Retry-After',
    ]);
  });

  it('fail on a wrong latest state', () => {
    const run = cleanRun();
    run.stored.states.set('lt-b', run.future.postbackId);
    expect(failing(runChecks(run.ledger, run.stored, NO_FAULTS))).toEqual(['FAIL latest state of every tracking-id follows the rule']);
  });
});

describe('expectedIsLatest', () => {
  it('leaves a raced postback undecided, and decides the ones the ledger orders', () => {
    const run = cleanRun();
    const [a, b] = [run.sent101, run.sent102];
    // b was sent before a was answered, and has the higher precedence: either order is possible for a.
    b.firstSentAt = 1050;
    expect(expectedIsLatest(a, [a, b])).toBeUndefined();
    // b outranks a and was answered before a was sent: a cannot be latest.
    a.firstSentAt = 1400;
    expect(expectedIsLatest(a, [a, b])).toBe(false);
    // b outranks everything that may have been stored before it.
    expect(expectedIsLatest(b, [a, b])).toBe(true);
  });
});

describe('the workload', () => {
  it('sends concurrent copies of one postback and concurrent postbacks of one tracking-id', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const w = new Workload({ secret: 's', activeMessages: 8, random, concurrentCopyRate: 0.1, concurrentSiblingRate: 0.1 });
    const inFlight = new Map<number, string>();
    let sameTrackingIdAtOnce = 0;
    let samePostbackAtOnce = 0;
    for (let i = 0; i < 400; i++) {
      const out = w.next(i);
      if (out.target.type === 'postback') {
        const { trackingId, postbackId } = out.target.postback;
        const busy = [...inFlight.values()];
        if (busy.includes(postbackId)) samePostbackAtOnce++;
        else if (busy.some((id) => w.postbacks.find((p) => p.postbackId === id)?.trackingId === trackingId)) sameTrackingIdAtOnce++;
        inFlight.set(out.id, postbackId);
      }
      // Keep about eight requests in flight, answering the oldest.
      if (inFlight.size > 8) {
        const [oldest] = inFlight.keys();
        inFlight.delete(oldest as number);
        w.answered(oldest as number, 200, '{"result":"accepted"}', undefined, 'load');
      }
    }
    expect(w.counts.concurrentCopy).toBeGreaterThan(0);
    expect(w.counts.concurrentSibling).toBeGreaterThan(0);
    expect(samePostbackAtOnce).toBeGreaterThan(0);
    expect(sameTrackingIdAtOnce).toBeGreaterThan(0);
  });
});
