/**
 * A loopback HTTP proxy (`loopback-proxy.ts`) in front of one AWS endpoint (DynamoDB Local or
 * the local EventBridge) that fails on demand, the way a network or the service itself fails:
 *
 * - `reset`: the connection is destroyed before anything reaches the service (the SDK sees
 *   ECONNRESET / "socket hang up"; nothing happened on the service side);
 * - `http500`: a 500 JSON error of the service's protocol, without forwarding;
 * - `partial` (EventBridge only): 200 with `FailedEntryCount` = every entry, without forwarding;
 * - `lost`: the request IS forwarded and processed, then the connection is destroyed instead of
 *   relaying the answer (an ambiguous outcome: the caller cannot know that it worked).
 */
import type http from 'node:http';
import { startLoopbackProxy } from './loopback-proxy';
import { sendJson } from './loopback-server';

export type FaultKind = 'reset' | 'http500' | 'partial' | 'lost';
export type Service = 'dynamodb' | 'eventbridge';

export interface FaultProxyStats {
  readonly service: Service;
  forwarded: number;
  faulted: Record<FaultKind, number>;
  /**
   * EventBridge only: the `Detail.postbackId` of every entry of a PutEvents whose answer was
   * lost after EventBridge took it (one element per loss): the only case where the service
   * may publish a postback twice, which the load test's checks accept for these ids alone.
   */
  lostPostbackIds: string[];
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: use as `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_EVENTBRIDGE`. */
  readonly endpoint: string;
  readonly stats: FaultProxyStats;
  /** The fault applied to every request from now on, or `undefined` for none. */
  setFault(kind: FaultKind | undefined): void;
  close(): Promise<void>;
}

const ERROR_TYPE: Record<Service, string> = {
  dynamodb: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
  eventbridge: 'InternalException',
};

const sendAwsJson = (res: http.ServerResponse, status: number, body: unknown) =>
  sendJson(res, status, body, { 'content-type': 'application/x-amz-json-1.0' });

/** The `postbackId`s in the Detail of the entries of a PutEvents request body. */
export function postbackIdsOf(body: Buffer): string[] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { Entries?: { Detail?: string }[] };
    return (parsed.Entries ?? []).flatMap((entry) => {
      const id = (JSON.parse(entry.Detail ?? '{}') as { postbackId?: unknown }).postbackId;
      return typeof id === 'string' ? [id] : [];
    });
  } catch {
    return [];
  }
}

function entryCount(body: Buffer): number {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { Entries?: unknown };
    return Array.isArray(parsed.Entries) ? parsed.Entries.length : 1;
  } catch {
    return 1;
  }
}

/**
 * Starts a proxy on 127.0.0.1 that forwards to `upstream` unless a fault is set.
 *
 * @example
 * const proxy = await startFaultProxy('dynamodb', ddb.endpoint);
 * proxy.setFault('reset'); // every request now loses its connection
 */
export async function startFaultProxy(service: Service, upstream: string): Promise<FaultProxy> {
  const stats: FaultProxyStats = { service, forwarded: 0, faulted: { reset: 0, http500: 0, partial: 0, lost: 0 }, lostPostbackIds: [] };
  let fault: FaultKind | undefined;
  const proxy = await startLoopbackProxy(upstream, (x) => {
    // `partial` only means something for PutEvents.
    const kind = fault === 'partial' && service !== 'eventbridge' ? 'http500' : fault;
    if (kind === undefined) {
      stats.forwarded++;
      x.forward((answer) => x.relay(answer));
      return;
    }
    stats.faulted[kind]++;
    switch (kind) {
      case 'reset':
        x.req.socket.destroy();
        return;
      case 'http500':
        sendAwsJson(x.res, 500, { __type: ERROR_TYPE[service], message: 'Injected fault: internal error' });
        return;
      case 'partial': {
        const n = entryCount(x.body);
        const Entries = Array.from({ length: n }, () => ({
          ErrorCode: 'InternalFailure',
          ErrorMessage: 'Injected fault: internal failure',
        }));
        sendAwsJson(x.res, 200, { Entries, FailedEntryCount: n });
        return;
      }
      case 'lost':
        x.forward((answer) => {
          if (service === 'eventbridge' && answer.status === 200) stats.lostPostbackIds.push(...postbackIdsOf(x.body));
          x.req.socket.destroy();
        });
        return;
    }
  });
  return {
    endpoint: proxy.endpoint,
    stats,
    setFault(kind) {
      fault = kind;
    },
    close: proxy.close,
  };
}
