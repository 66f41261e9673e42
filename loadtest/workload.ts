/**
 * The load test's traffic, and the ledger of what was sent and answered.
 *
 * Traffic mix (per request the generator hands out, retries aside): about 5 % bad input,
 * about 20 % exact duplicates of postbacks already answered 2xx, the rest new postbacks
 * over many tracking-ids in lifecycle order, about 10 % of them sent before a postback that
 * precedes them in the lifecycle (out of order), and about 1 % dated more than 24 hours
 * ahead (accepted, never the latest state). Mostly one request per tracking-id is in flight
 * at a time (the provider reports one message's events in sequence), except for two races
 * added on purpose: about 3 % of requests are a concurrent copy of a postback already in
 * flight (the in-progress path: one is accepted, the other answered 503 or `duplicate`) and
 * about 3 % the next postback of a message while another of its postbacks is in flight (the
 * transaction-conflict path). A 503 (or no answer at all) puts the same request back in a
 * queue, due after `Retry-After`.
 */
import { randomBytes } from 'node:crypto';
import { CATALOG, type DetailType, lookupCode } from '../lambda/domain/catalog';
import { interpretPostback } from '../lambda/domain/postback';
import { formatTimestamp } from '../lambda/domain/timestamp';
import { validatePostback } from '../lambda/domain/validate';

export type BadKind = 'invalid_json' | 'validation_failed' | 'unsupported_media_type' | 'unauthorized' | 'payload_too_large';
export const BAD_STATUS: Readonly<Record<BadKind, number>> = {
  invalid_json: 400,
  validation_failed: 400,
  unsupported_media_type: 415,
  unauthorized: 401,
  payload_too_large: 413,
};

export interface Answer {
  readonly status: number;
  /** `result` of a 200 body, `error` of an error body. */
  readonly result?: string;
  readonly postbackId?: string;
  readonly trackingId?: string;
  /** `latest` of an `accepted` body. */
  readonly latest?: boolean;
  readonly retryAfter?: string;
  /** Phase in which the answer came. */
  readonly phase: 'load' | 'drain';
  /** When the answer came (ms since the epoch). */
  readonly at: number;
  /** Another request for the same tracking-id was in flight with this one (a 503 `in progress` is then expected). */
  readonly raced?: boolean;
}

/** A valid postback we sent (possibly many times). */
export interface SentPostback {
  readonly index: number;
  readonly postbackId: string;
  readonly trackingId: string;
  readonly code: string;
  /** The detail-type its event must have. */
  readonly detailType: DetailType;
  /** Catalog rank; undefined for a code the catalog does not know (never the latest state). */
  readonly rank: number | undefined;
  readonly instantKey: string;
  /** The latest-state precedence (see `precedenceOf`); undefined when it never becomes the latest state. */
  readonly precedence: string | undefined;
  readonly body: string;
  /** Sent before a postback that precedes it in its message's lifecycle. */
  readonly outOfOrder: boolean;
  readonly answers: Answer[];
  /** Requests sent that never got an answer (timeout, connection lost, run ended). */
  unanswered: number;
  /** When it was first sent (ms since the epoch); undefined while never sent. */
  firstSentAt?: number;
}

/**
 * The ledger entry of a valid postback body, with what the service derives from it.
 *
 * @example
 * const p = sentPostbackOf(JSON.stringify(body), { index: 0, outOfOrder: false });
 */
export function sentPostbackOf(body: string, options: { index: number; outOfOrder: boolean; receivedAt?: Date }): SentPostback {
  const result = validatePostback(JSON.parse(body));
  if (!result.ok) throw new Error(`load test generated an invalid postback: ${JSON.stringify(result.details)} ${body}`);
  const record = interpretPostback(result.postback, options.receivedAt ?? new Date());
  return {
    index: options.index,
    postbackId: record.postbackId,
    trackingId: record.trackingId,
    code: record.code,
    detailType: record.detailType,
    rank: record.catalogEntry?.rank,
    instantKey: record.instant.key,
    precedence: record.precedence,
    body,
    outOfOrder: options.outOfOrder,
    answers: [],
    unanswered: 0,
  };
}

export interface BadRequest {
  readonly index: number;
  readonly kind: BadKind;
  /** A tracking-id that no valid postback uses (`…-bad-…`), when the body has one. */
  readonly trackingId: string;
  readonly body: string;
  readonly contentType: string;
  readonly token: string;
  readonly answers: Answer[];
  unanswered: number;
}

export type RequestKind = 'new' | 'duplicate' | 'retry' | 'bad' | 'concurrentCopy' | 'concurrentSibling';

/** One HTTP request handed out, until it is answered. */
export interface Outgoing {
  readonly id: number;
  readonly kind: RequestKind;
  readonly target: { readonly type: 'postback'; readonly postback: SentPostback } | { readonly type: 'bad'; readonly bad: BadRequest };
  readonly lock: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly sentAt: number;
  /** Another request for the same lock was in flight with this one, at some moment. */
  raced: boolean;
}

interface Message {
  readonly trackingId: string;
  readonly postbacks: SentPostback[];
  next: number;
}

interface Retry {
  readonly due: number;
  readonly target: Outgoing['target'];
}

export interface WorkloadOptions {
  readonly secret: string;
  /** Messages open at once (so that many tracking-ids interleave). */
  readonly activeMessages: number;
  readonly badRate?: number;
  readonly duplicateRate?: number;
  /** Chance that a message of two or more postbacks has one adjacent pair swapped. */
  readonly swapRate?: number;
  /** Share of requests that are a copy of a postback in flight, sent at once. @default 0.03 */
  readonly concurrentCopyRate?: number;
  /** Share of requests that are the next postback of a message with another postback in flight. @default 0.03 */
  readonly concurrentSiblingRate?: number;
  /** Chance that a send message gets one more final postback dated more than 24 hours ahead. @default 0.01 */
  readonly farFutureRate?: number;
  /** Upper bound for honouring `Retry-After` (seconds). @default 5 */
  readonly maxRetryAfterSeconds?: number;
  readonly random?: () => number;
}

const FINAL_SEND_CODES = CATALOG.filter((e) => e.lifecycle === 'send' && e.final).map((e) => e.code);
const TEMPLATE_CODES = CATALOG.filter((e) => e.lifecycle === 'template').map((e) => e.code);
const OFFSETS = [0, 0, 0, -300, 330, 60];

/**
 * The generator and ledger. `next()` hands out the next request; `answered()` /
 * `unanswered()` record the outcome.
 *
 * @example
 * const w = new Workload({ secret: 'local-dev-secret', activeMessages: 128 });
 * const out = w.next(Date.now());
 * w.answered(out.id, 200, '{"result":"accepted",…}', undefined, 'load');
 */
export class Workload {
  readonly postbacks: SentPostback[] = [];
  readonly bad: BadRequest[] = [];
  readonly counts: Record<RequestKind, number> = { new: 0, duplicate: 0, retry: 0, bad: 0, concurrentCopy: 0, concurrentSibling: 0 };
  private readonly runId = randomBytes(3).toString('hex');
  private readonly random: () => number;
  private readonly active: Message[] = [];
  private readonly answered2xx: SentPostback[] = [];
  private readonly inFlight = new Map<number, Outgoing>();
  /** Requests in flight per lock (tracking-id, or one bad request). */
  private readonly locked = new Map<string, number>();
  private retries: Retry[] = [];
  private readonly races = new Map<string, number>();
  private nextId = 1;
  private messageCount = 0;
  private clock = Date.parse('2026-01-01T00:00:00Z');

  constructor(private readonly options: WorkloadOptions) {
    this.random = options.random ?? Math.random;
  }

  /** Answers to the concurrent requests (copies and siblings), by status and result. */
  raceAnswers(): Record<string, number> {
    return Object.fromEntries([...this.races].sort());
  }

  /** Requests sent and not answered yet. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Requests waiting for a retry. */
  get pendingRetries(): number {
    return this.retries.length;
  }

  /** The next request to send (never undefined: a new message is opened when needed). */
  next(now: number): Outgoing {
    const retry = this.takeRetry(now, false);
    if (retry) return retry;
    const race = this.random();
    const copyRate = this.options.concurrentCopyRate ?? 0.03;
    if (race < copyRate) {
      const copy = this.concurrentCopy(now);
      if (copy) return copy;
    } else if (race < copyRate + (this.options.concurrentSiblingRate ?? 0.03)) {
      const sibling = this.concurrentSibling(now);
      if (sibling) return sibling;
    }
    const r = this.random();
    if (r < (this.options.badRate ?? 0.05)) return this.send(this.makeBad(), 'bad', now);
    if (r < (this.options.badRate ?? 0.05) + (this.options.duplicateRate ?? 0.2)) {
      for (let tries = 0; tries < 8 && this.answered2xx.length > 0; tries++) {
        const p = this.answered2xx[Math.floor(this.random() * this.answered2xx.length)] as SentPostback;
        if (!this.locked.has(p.trackingId)) return this.send({ type: 'postback', postback: p }, 'duplicate', now);
      }
    }
    return this.send({ type: 'postback', postback: this.nextNew() }, 'new', now);
  }

  /** A copy of a postback in flight, sent while the first is still being processed. */
  private concurrentCopy(now: number): Outgoing | undefined {
    const inFlight = [...this.inFlight.values()].filter((o) => o.target.type === 'postback');
    if (inFlight.length === 0) return undefined;
    const pick = inFlight[Math.floor(this.random() * inFlight.length)] as Outgoing;
    return this.send(pick.target, 'concurrentCopy', now);
  }

  /** The next postback of a message that has another postback in flight. */
  private concurrentSibling(now: number): Outgoing | undefined {
    const busy = this.active.filter((m) => this.locked.has(m.trackingId) && m.next < m.postbacks.length);
    if (busy.length === 0) return undefined;
    const m = busy[Math.floor(this.random() * busy.length)] as Message;
    const p = m.postbacks[m.next++] as SentPostback;
    if (m.next >= m.postbacks.length) this.active.splice(this.active.indexOf(m), 1);
    return this.send({ type: 'postback', postback: p }, 'concurrentSibling', now);
  }

  /** A due retry, if any (`any`: the earliest one whatever its due time, for the drain). */
  takeRetry(now: number, any: boolean): Outgoing | undefined {
    const i = this.retries.findIndex((r) => (any || r.due <= now) && !this.locked.has(lockOf(r.target)));
    if (i < 0) return undefined;
    const [retry] = this.retries.splice(i, 1);
    return this.send((retry as Retry).target, 'retry', now);
  }

  /** When the earliest retry is due (ms since the epoch), or undefined when none waits. */
  nextRetryDue(): number | undefined {
    let due: number | undefined;
    for (const r of this.retries) if (!this.locked.has(lockOf(r.target)) && (due === undefined || r.due < due)) due = r.due;
    return due;
  }

  answered(id: number, status: number, body: string, retryAfter: string | undefined, phase: Answer['phase']): void {
    const out = this.inFlight.get(id);
    if (!out) return; // already given up as unanswered
    this.finish(out);
    let parsed: Record<string, unknown> = {};
    try {
      const value: unknown = JSON.parse(body);
      if (value && typeof value === 'object') parsed = value as Record<string, unknown>;
    } catch {
      // not JSON: recorded by status only
    }
    const answer: Answer = {
      status,
      result: typeof parsed.result === 'string' ? parsed.result : typeof parsed.error === 'string' ? parsed.error : undefined,
      postbackId: typeof parsed.postbackId === 'string' ? parsed.postbackId : undefined,
      trackingId: typeof parsed.trackingId === 'string' ? parsed.trackingId : undefined,
      latest: typeof parsed.latest === 'boolean' ? parsed.latest : undefined,
      retryAfter,
      phase,
      at: Date.now(),
      raced: out.raced,
    };
    if (out.kind === 'concurrentCopy' || out.kind === 'concurrentSibling') {
      const key = `${status}${answer.result ? ` ${answer.result}` : ''}`;
      this.races.set(key, (this.races.get(key) ?? 0) + 1);
    }
    const target = out.target;
    if (target.type === 'postback') {
      target.postback.answers.push(answer);
      if (status >= 200 && status < 300 && target.postback.answers.filter((a) => a.status < 300).length === 1) {
        this.answered2xx.push(target.postback);
      }
    } else target.bad.answers.push(answer);
    if (status >= 500) {
      const seconds = Number(retryAfter);
      const delay = Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, this.options.maxRetryAfterSeconds ?? 5) : 1;
      this.retries.push({ due: Date.now() + delay * 1000, target });
    }
  }

  /** The request got no answer (timeout, connection lost, run stopped): the sender retries it. */
  unanswered(id: number): void {
    const out = this.inFlight.get(id);
    if (!out) return;
    this.finish(out);
    if (out.target.type === 'postback') out.target.postback.unanswered++;
    else out.target.bad.unanswered++;
    this.retries.push({ due: Date.now() + 1000, target: out.target });
  }

  /** Requests in flight for longer than `ms`. */
  staleSince(ms: number, now: number): number[] {
    return [...this.inFlight.values()].filter((o) => now - o.sentAt > ms).map((o) => o.id);
  }

  /** Every request still in flight. */
  inFlightIds(): number[] {
    return [...this.inFlight.keys()];
  }

  /** Share of new postbacks that were sent out of lifecycle order. */
  outOfOrderShare(): number {
    return this.postbacks.length === 0
      ? 0
      : this.postbacks.filter((p) => p.outOfOrder && p.answers.length + p.unanswered > 0).length / this.sentNew();
  }

  private sentNew(): number {
    return this.postbacks.filter((p) => p.answers.length + p.unanswered > 0).length || 1;
  }

  private finish(out: Outgoing): void {
    this.inFlight.delete(out.id);
    const held = (this.locked.get(out.lock) ?? 1) - 1;
    if (held > 0) this.locked.set(out.lock, held);
    else this.locked.delete(out.lock);
  }

  private send(target: Outgoing['target'], kind: RequestKind, now: number): Outgoing {
    const headers: Record<string, string> = {};
    let body: string;
    if (target.type === 'postback') {
      target.postback.firstSentAt ??= now;
      body = target.postback.body;
      headers['content-type'] = 'application/json';
      headers['x-postback-token'] = this.options.secret;
    } else {
      body = target.bad.body;
      headers['content-type'] = target.bad.contentType;
      headers['x-postback-token'] = target.bad.token;
    }
    const lock = lockOf(target);
    const raced = this.locked.has(lock);
    if (raced) for (const o of this.inFlight.values()) if (o.lock === lock) o.raced = true;
    const out: Outgoing = { id: this.nextId++, kind, target, lock, body, headers, sentAt: now, raced };
    this.inFlight.set(out.id, out);
    this.locked.set(lock, (this.locked.get(lock) ?? 0) + 1);
    this.counts[kind]++;
    return out;
  }

  private nextNew(): SentPostback {
    for (let tries = 0; tries < 4; tries++) {
      while (this.active.length < this.options.activeMessages) this.active.push(this.makeMessage());
      const start = Math.floor(this.random() * this.active.length);
      for (let k = 0; k < this.active.length; k++) {
        const i = (start + k) % this.active.length;
        const m = this.active[i] as Message;
        if (this.locked.has(m.trackingId)) continue;
        const p = m.postbacks[m.next++] as SentPostback;
        if (m.next >= m.postbacks.length) this.active.splice(i, 1);
        return p;
      }
      // every open message is busy: open more
      this.active.push(this.makeMessage());
    }
    const m = this.makeMessage();
    this.active.push(m);
    const p = m.postbacks[m.next++] as SentPostback;
    return p;
  }

  private pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.random() * values.length)] as T;
  }

  private phone(): string {
    return `1${String(Math.floor(this.random() * 1e10)).padStart(10, '0')}`;
  }

  private makeMessage(): Message {
    const n = ++this.messageCount;
    const r = this.random();
    this.clock += 1000 + Math.floor(this.random() * 5000);
    let t = this.clock;
    const step = () => {
      t += 1000 + Math.floor(this.random() * 30_000);
      return formatTimestamp(t, this.pick(OFFSETS));
    };
    const bodies: Record<string, unknown>[] = [];
    let trackingId: string | undefined;
    if (r < 0.7) {
      trackingId = `lt-${this.runId}-${n}`;
      const to = this.phone();
      const base = { origin: 'MMS_MT', 'tracking-id': trackingId, to, from: '18885551234', 'client-reference': `ref-${n % 500}` };
      const codes: string[] = [];
      if (this.random() < 0.4) codes.push('N013');
      codes.push('N101');
      if (this.random() < 0.03) codes.push('N555');
      codes.push(this.pick(FINAL_SEND_CODES));
      if (this.random() < 0.05) codes.push(this.pick(FINAL_SEND_CODES)); // a second final: the later one wins
      for (const code of codes) {
        const status = lookupCode(code)?.status ?? 'Unknown';
        bodies.push({ ...base, code, status, 'sent-as': 'MMS', timestamp: step() });
      }
      if (this.random() < (this.options.farFutureRate ?? 0.01)) {
        // A wrong clock: accepted and published, never the latest state.
        const code = this.pick(FINAL_SEND_CODES);
        bodies.push({ ...base, code, status: lookupCode(code)?.status ?? 'Unknown', timestamp: '9999-12-31T23:59:59Z' });
      }
    } else if (r < 0.85) {
      trackingId = `lt-${this.runId}-${n}`;
      const code = this.random() < 0.7 ? 'N003' : this.pick(TEMPLATE_CODES);
      bodies.push({ origin: 'MMS_MT', code, status: lookupCode(code)?.status ?? 'Unknown', 'tracking-id': trackingId, timestamp: step() });
    } else {
      const withId = this.random() < 0.5;
      if (withId) trackingId = `lt-${this.runId}-${n}`;
      bodies.push({
        origin: 'MMS_MO',
        code: 'N401',
        from: this.phone(),
        to: '18885551234',
        keyword: 'INFO',
        ...(withId ? { 'tracking-id': trackingId } : {}),
        'operator-id': '310012',
        timestamp: step(),
        content: [{ file: `https://example.com/mo/${n}.jpg` }],
      });
    }
    const order = bodies.map((_, i) => i);
    if (order.length >= 2 && this.random() < (this.options.swapRate ?? 0.3)) {
      const i = Math.floor(this.random() * (order.length - 1));
      [order[i], order[i + 1]] = [order[i + 1] as number, order[i] as number];
    }
    const postbacks = order.map((lifecycleIndex, position) => {
      const body = JSON.stringify(bodies[lifecycleIndex]);
      const outOfOrder = order.slice(position + 1).some((later) => later < lifecycleIndex);
      return this.register(body, outOfOrder);
    });
    return { trackingId: postbacks[0]?.trackingId ?? `lt-${this.runId}-${n}`, postbacks, next: 0 };
  }

  private register(body: string, outOfOrder: boolean): SentPostback {
    const p = sentPostbackOf(body, { index: this.postbacks.length, outOfOrder });
    this.postbacks.push(p);
    return p;
  }

  private makeBad(): { type: 'bad'; bad: BadRequest } {
    const index = this.bad.length;
    const trackingId = `lt-${this.runId}-bad-${index}`;
    const good = { origin: 'MMS_MT', code: 'N101', status: 'Sent', 'tracking-id': trackingId, timestamp: '2026-04-24T18:30:00Z' };
    const r = this.random();
    const kind: BadKind =
      r < 0.3
        ? 'invalid_json'
        : r < 0.6
          ? 'validation_failed'
          : r < 0.8
            ? 'unsupported_media_type'
            : r < 0.95
              ? 'unauthorized'
              : 'payload_too_large';
    let body = JSON.stringify(good);
    let contentType = 'application/json';
    let token = this.options.secret;
    switch (kind) {
      case 'invalid_json':
        body = body.slice(0, Math.max(1, Math.floor(body.length / 2)));
        break;
      case 'validation_failed': {
        const broken = this.pick<Record<string, unknown>>([
          { ...good, code: 'X101' },
          { ...good, timestamp: '2026-04-24 18:30' },
          { ...good, to: 'not-a-phone' },
          { ...good, origin: 'MMS_MO' },
          { origin: 'MMS_MT', code: 'N101', 'tracking-id': trackingId },
        ]);
        body = JSON.stringify(broken);
        break;
      }
      case 'unsupported_media_type':
        contentType = 'text/plain';
        break;
      case 'unauthorized':
        token = 'not-the-secret';
        break;
      case 'payload_too_large':
        body = JSON.stringify({ ...good, 'x-padding': 'x'.repeat(70 * 1024) });
        break;
    }
    const bad: BadRequest = { index, kind, trackingId, body, contentType, token, answers: [], unanswered: 0 };
    this.bad.push(bad);
    return { type: 'bad', bad };
  }
}

function lockOf(target: Outgoing['target']): string {
  return target.type === 'postback' ? target.postback.trackingId : `bad:${target.bad.index}`;
}
