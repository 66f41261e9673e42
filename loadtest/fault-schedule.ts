/**
 * The load test's fault schedule: which proxy (`stand-ins/fault-proxy.ts`) fails how, and when.
 */
import type { FaultKind, FaultProxy, Service } from '../stand-ins/fault-proxy';

/** One window of the fault schedule. */
export interface FaultWindow {
  readonly service: Service;
  readonly kind: FaultKind;
}

/** The default rotation: every kind of failure the load test injects, on both endpoints. */
export const DEFAULT_ROTATION: readonly FaultWindow[] = [
  { service: 'dynamodb', kind: 'reset' },
  { service: 'eventbridge', kind: 'http500' },
  { service: 'dynamodb', kind: 'http500' },
  { service: 'eventbridge', kind: 'partial' },
  { service: 'eventbridge', kind: 'reset' },
];

/** Answers lost after the service did the work first, then the default rotation (`--lost-responses`). */
export const AMBIGUOUS_ROTATION: readonly FaultWindow[] = [
  { service: 'eventbridge', kind: 'lost' },
  { service: 'dynamodb', kind: 'lost' },
  ...DEFAULT_ROTATION,
];

export interface FaultLogEntry extends FaultWindow {
  /** Milliseconds since the schedule started. */
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * Every `periodMs`, after `offsetMs`, makes one proxy fail for `badMs` with the next
 * window of `rotation`. Returns a function that stops the schedule (and clears faults).
 *
 * @example
 * const stop = runSchedule({ dynamodb, eventbridge }, DEFAULT_ROTATION, { periodMs: 6000, badMs: 2000, offsetMs: 2000 }, log);
 */
export function runSchedule(
  proxies: Readonly<Record<Service, FaultProxy>>,
  rotation: readonly FaultWindow[],
  timing: { readonly periodMs: number; readonly badMs: number; readonly offsetMs: number },
  log: FaultLogEntry[],
): () => void {
  const started = Date.now();
  const timers = new Set<NodeJS.Timeout>();
  let index = 0;
  let stopped = false;
  let open: { window: FaultWindow; fromMs: number } | undefined;
  const clearAll = () => {
    proxies.dynamodb.setFault(undefined);
    proxies.eventbridge.setFault(undefined);
  };
  const window = () => {
    if (stopped) return;
    const w = rotation[index % rotation.length] as FaultWindow;
    index++;
    const fromMs = Date.now() - started;
    proxies[w.service].setFault(w.kind);
    open = { window: w, fromMs };
    const end = setTimeout(() => {
      timers.delete(end);
      proxies[w.service].setFault(undefined);
      open = undefined;
      log.push({ ...w, fromMs, toMs: Date.now() - started });
    }, timing.badMs);
    timers.add(end);
    const next = setTimeout(() => {
      timers.delete(next);
      window();
    }, timing.periodMs);
    timers.add(next);
  };
  const first = setTimeout(window, timing.offsetMs);
  timers.add(first);
  return () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    // A window cut short is still logged.
    if (open) log.push({ ...open.window, fromMs: open.fromMs, toMs: Date.now() - started });
    open = undefined;
    clearAll();
  };
}
