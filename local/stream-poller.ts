/**
 * The local stand-in of a Lambda event source mapping on a DynamoDB stream: it reads the
 * table's stream in DynamoDB Local with the SDK's DynamoDB Streams client and feeds the
 * unmodified publisher handler (`lambda/handlers/publisher.ts`) as the mapping does in AWS:
 *
 * - every shard from `TRIM_HORIZON`, a child shard only after its parent is read to its end
 *   (DescribeStream, GetShardIterator, GetRecords; one batch at a time per shard, so records of
 *   one partition key reach the handler in stream order);
 * - each record in the Lambda shape (`eventSource: 'aws:dynamodb'`, `eventSourceARN`,
 *   `awsRegion`, `ApproximateCreationDateTime` in epoch seconds), kept only when it matches one
 *   of the mapping's filters (`local/event-filter.ts`, the same pattern object as the construct);
 * - batches of up to `batchSize` records, gathered for at most the batching window;
 * - a Lambda-like context (remaining time of the function's timeout);
 * - the partial batch response: Lambda checkpoints before the lowest reported sequence number
 *   and retries from it; an empty or absent `batchItemFailures` is a success, an identifier
 *   that is not a sequence number of the batch fails the whole batch
 *   (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html);
 * - a handler error bisects the batch (BisectBatchOnFunctionError: splitting does not count as a
 *   retry), retries are bounded (MaximumRetryAttempts), and records still failing are discarded
 *   to the on-failure destination
 *   (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html): locally, one
 *   JSON line each in `failuresFile`, reported through `onDiscard` (the local run prints it loudly).
 *
 * Local is not AWS: Lambda's own pause between retries is not documented as a figure; here a
 * retry waits `retryDelayMs(attempt)` (1 s doubling, at most 8 s). The stream's 24-hour
 * retention, `MaximumRecordAgeInSeconds` and `ParallelizationFactor` are not modelled.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  type AttributeValue,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaContext } from './api-gateway-event';
import { type FilterPattern, matchesAnyFilter } from './event-filter';

/** The handler's signature as the mapping invokes it (`DynamoDBStreamHandler` with a partial batch response). */
export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | undefined>;

/** Records the mapping gave up on (the on-failure destination's record, locally). */
export interface DiscardedBatch {
  readonly at: string;
  readonly functionName: string;
  readonly reason: 'retries exhausted after a partial batch failure' | 'retries exhausted after a function error';
  readonly error?: string;
  readonly attempts: number;
  readonly shardId: string;
  readonly streamArn: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
  /** What identifies each record: its keys and, for a history entry, its postback id. */
  readonly records: readonly { readonly sequenceNumber: string; readonly keys: unknown; readonly postbackId?: string }[];
}

/** What one invocation did, for logs. */
export interface InvocationReport {
  readonly records: number;
  /** Records delivered before (a retry after a partial failure, an error, or a bisected half). */
  readonly redelivered: number;
  readonly outcome: 'ok' | 'partial' | 'error';
  readonly error?: string;
}

export interface StreamPollerStats {
  invocations: number;
  /** Records handed to the handler, every delivery counted. */
  recordsDelivered: number;
  /** Deliveries of a record that had been delivered before. */
  recordsRedelivered: number;
  /** Stream records the filters kept out. */
  recordsFilteredOut: number;
  /** Records sent to the on-failure record. */
  recordsDiscarded: number;
  /** Deliveries per postback id, for the records delivered more than once (the load test's check reads it). */
  readonly redeliveredPostbackIds: Map<string, number>;
}

export interface StreamPollerOptions {
  /** DynamoDB Local's endpoint: it serves the DynamoDB Streams API too. */
  readonly endpoint: string;
  readonly tableName: string;
  /** The handler the mapping invokes (the publisher's, unmodified). */
  readonly handler: StreamHandler;
  /** The function name the context carries. @default 'PublisherFunction' */
  readonly functionName?: string;
  /** The mapping's filters (ORed); none passes every record. */
  readonly filters: readonly FilterPattern[];
  readonly batchSize: number;
  readonly maxBatchingWindowMs: number;
  /** Retries of a failing batch before its records are discarded. */
  readonly retryAttempts: number;
  /** Split a batch in two when the handler throws. @default true */
  readonly bisectOnError?: boolean;
  /** The function's timeout: the context's remaining time starts there. */
  readonly timeoutMs: number;
  /** Where discarded records are appended as JSON lines (the directory is created). */
  readonly failuresFile?: string;
  readonly onDiscard?: (batch: DiscardedBatch) => void;
  readonly onInvoke?: (report: InvocationReport) => void;
  /** Problems of the poller itself (a failed GetRecords, …). */
  readonly log?: (line: string) => void;
  /** Pause between two polls of a shard with nothing new; Lambda polls four times per second. @default 250 */
  readonly pollIntervalMs?: number;
  /** Pause before retry `attempt` (1, 2, …). @default 1 s doubling, at most 8 s */
  readonly retryDelayMs?: (attempt: number) => number;
  /** @default 'us-east-1' */
  readonly region?: string;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const POSTBACK_ID_ATTRIBUTE = 'postbackId';

/** The default pause before a retry: 1 s, doubling, at most 8 s. */
export const defaultRetryDelayMs = (attempt: number): number => Math.min(8000, 1000 * 2 ** Math.max(0, attempt - 1));

/** An SDK attribute value as Lambda writes it in the event: binary as base64, nested maps and lists alike. */
function lambdaAttribute(value: AttributeValue): unknown {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: lambdaImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(lambdaAttribute) };
  const { $unknown: _unknown, ...known } = value as AttributeValue & { $unknown?: unknown };
  return known;
}

function lambdaImage(image: Record<string, AttributeValue> | undefined): Record<string, unknown> | undefined {
  if (image === undefined) return undefined;
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, lambdaAttribute(value)]));
}

/**
 * A record of the SDK's GetRecords answer in the shape Lambda gives the function.
 *
 * @example
 * toLambdaRecord(sdkRecord, streamArn, 'us-east-1').eventSource; // 'aws:dynamodb'
 */
export function toLambdaRecord(record: _Record, streamArn: string, region: string): DynamoDBRecord {
  const d = record.dynamodb ?? {};
  const created = d.ApproximateCreationDateTime;
  const dynamodb: Record<string, unknown> = {
    ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
    Keys: lambdaImage(d.Keys),
    ...(d.NewImage ? { NewImage: lambdaImage(d.NewImage) } : {}),
    ...(d.OldImage ? { OldImage: lambdaImage(d.OldImage) } : {}),
    SequenceNumber: d.SequenceNumber,
    SizeBytes: d.SizeBytes,
    StreamViewType: d.StreamViewType,
  };
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region, // the function's region (DynamoDB Local writes its own placeholder)
    dynamodb,
    eventSourceARN: streamArn,
  } as DynamoDBRecord;
}

const sequenceOf = (r: DynamoDBRecord) => r.dynamodb?.SequenceNumber ?? '';
const postbackIdOf = (r: DynamoDBRecord): string | undefined => {
  const value = (r.dynamodb?.NewImage as Record<string, { S?: string }> | undefined)?.[POSTBACK_ID_ATTRIBUTE]?.S;
  return typeof value === 'string' ? value : undefined;
};

/** The outcome of one invocation as the mapping reads it: the index of the first record to retry from, or an error. */
export type BatchOutcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'partial'; readonly from: number }
  | { readonly kind: 'error'; readonly error: string };

/**
 * How the mapping reads a handler's answer for `records`
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html):
 * no answer, no list or an empty list is a success; otherwise it retries from the lowest
 * reported sequence number; an identifier that is empty, missing or not a sequence number of
 * the batch fails the whole batch.
 *
 * @example
 * readBatchResponse(records, { batchItemFailures: [{ itemIdentifier: '200' }] }); // { kind: 'partial', from: 1 }
 */
export function readBatchResponse(records: readonly DynamoDBRecord[], response: unknown): BatchOutcome {
  const failures = (response as DynamoDBBatchResponse | undefined | null)?.batchItemFailures;
  if (failures === undefined || failures === null || failures.length === 0) return { kind: 'ok' };
  let from = Number.POSITIVE_INFINITY;
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const index = typeof id === 'string' && id !== '' ? records.findIndex((r) => sequenceOf(r) === id) : -1;
    if (index < 0) return { kind: 'error', error: `batchItemFailures names ${JSON.stringify(id)}, not a sequence number of the batch` };
    from = Math.min(from, index);
  }
  return { kind: 'partial', from };
}

interface Segment {
  readonly records: readonly DynamoDBRecord[];
  /** Retries already made of these records. */
  readonly attempts: number;
  /** Whether these records were delivered before. */
  readonly redelivery: boolean;
}

/**
 * Polls the table's stream and invokes the handler until `stop()`.
 *
 * @example
 * const poller = new StreamPoller({ endpoint, tableName, handler, filters: [PUBLISHER_STREAM_FILTER], batchSize: 10, maxBatchingWindowMs: 1000, retryAttempts: 5, timeoutMs: 30_000 });
 * await poller.start();
 * // …
 * await poller.stop();
 */
export class StreamPoller {
  readonly stats: StreamPollerStats = {
    invocations: 0,
    recordsDelivered: 0,
    recordsRedelivered: 0,
    recordsFilteredOut: 0,
    recordsDiscarded: 0,
    redeliveredPostbackIds: new Map(),
  };
  private readonly streams: DynamoDBStreamsClient;
  private readonly region: string;
  private streamArn = '';
  private stopped = false;
  private running: Promise<void> | undefined;
  private readonly wakeups = new Set<() => void>();
  /** Shards read to their end, and shards being read. */
  private readonly finished = new Set<string>();
  private readonly active = new Map<string, Promise<void>>();

  constructor(private readonly options: StreamPollerOptions) {
    this.region = options.region ?? 'us-east-1';
    this.streams = new DynamoDBStreamsClient({
      endpoint: options.endpoint,
      region: this.region,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 3,
    });
  }

  /** The stream's ARN (after `start()`). */
  get arn(): string {
    return this.streamArn;
  }

  /** Finds the table's stream (it must be on) and starts polling; resolves once polling runs. */
  async start(): Promise<void> {
    const ddb = new DynamoDBClient({ endpoint: this.options.endpoint, region: this.region, credentials: LOCAL_CREDENTIALS });
    try {
      const table = await ddb.send(new DescribeTableCommand({ TableName: this.options.tableName }));
      const arn = table.Table?.LatestStreamArn;
      if (!arn || table.Table?.StreamSpecification?.StreamEnabled !== true) {
        throw new Error(
          `table ${this.options.tableName} has no stream: the publisher reads the table's stream (StreamSpecification NEW_IMAGE)`,
        );
      }
      this.streamArn = arn;
    } finally {
      ddb.destroy();
    }
    this.running = this.discoverLoop();
  }

  /** Stops polling; an invocation under way finishes first. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.wakeups) wake();
    await this.running;
    await Promise.allSettled([...this.active.values()]);
    this.streams.destroy();
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeups.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeups.add(done);
    });
  }

  private log(line: string): void {
    if (!this.stopped) this.options.log?.(line);
  }

  /** Lists the shards now and then and starts a reader for each shard whose parent is done (or gone). */
  private async discoverLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        const shards: Shard[] = [];
        let start: string | undefined;
        do {
          const page = await this.streams.send(new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }));
          shards.push(...(page.StreamDescription?.Shards ?? []));
          start = page.StreamDescription?.LastEvaluatedShardId;
        } while (start && !this.stopped);
        const known = new Set(shards.map((s) => s.ShardId));
        for (const shard of shards) {
          const id = shard.ShardId;
          if (!id || this.finished.has(id) || this.active.has(id)) continue;
          const parent = shard.ParentShardId;
          if (parent && known.has(parent) && !this.finished.has(parent)) continue; // the parent's records come first
          const reader = this.readShard(id).finally(() => {
            this.active.delete(id);
          });
          this.active.set(id, reader);
        }
      } catch (error) {
        this.log(`stream  DescribeStream failed: ${(error as Error).message}`);
      }
      await this.sleep(this.active.size === 0 ? (this.options.pollIntervalMs ?? 250) : 2000);
    }
  }

  /** Reads one shard from TRIM_HORIZON to its end, delivering batches in order. */
  private async readShard(shardId: string): Promise<void> {
    const pollMs = this.options.pollIntervalMs ?? 250;
    /** The sequence number of the last record read from the shard (delivered or filtered out). */
    let lastRead: string | undefined;
    const newIterator = async (): Promise<string | undefined> => {
      const got = await this.streams.send(
        new GetShardIteratorCommand({
          StreamArn: this.streamArn,
          ShardId: shardId,
          ...(lastRead ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: lastRead } : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      );
      return got.ShardIterator;
    };
    let iterator: string | undefined;
    try {
      iterator = await newIterator();
    } catch (error) {
      this.log(`stream  GetShardIterator failed for ${shardId}: ${(error as Error).message}`);
      return;
    }
    const buffer: DynamoDBRecord[] = [];
    let firstBufferedAt = 0;
    while (!this.stopped) {
      if (iterator && buffer.length < this.options.batchSize) {
        let records: _Record[] = [];
        try {
          const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
          records = page.Records ?? [];
          iterator = page.NextShardIterator;
        } catch (error) {
          this.log(`stream  GetRecords failed for ${shardId}: ${(error as Error).message}`);
          await this.sleep(pollMs);
          // An iterator lives 15 minutes: after a long outage, go on from the last record read.
          if ((error as Error).name === 'ExpiredIteratorException') iterator = await newIterator().catch(() => iterator);
          continue;
        }
        for (const record of records) {
          lastRead = record.dynamodb?.SequenceNumber ?? lastRead;
          const lambdaRecord = toLambdaRecord(record, this.streamArn, this.region);
          if (!matchesAnyFilter(this.options.filters, lambdaRecord)) {
            this.stats.recordsFilteredOut++;
            continue;
          }
          if (buffer.length === 0) firstBufferedAt = Date.now();
          buffer.push(lambdaRecord);
        }
        // Read on while the shard has more, but never past the batching window of the first buffered record.
        const windowOpen = buffer.length === 0 || Date.now() - firstBufferedAt < this.options.maxBatchingWindowMs;
        if (records.length > 0 && buffer.length < this.options.batchSize && windowOpen) continue;
      }
      const windowLeft = this.options.maxBatchingWindowMs - (Date.now() - firstBufferedAt);
      if (buffer.length > 0 && (buffer.length >= this.options.batchSize || windowLeft <= 0 || !iterator)) {
        await this.deliver(shardId, buffer.splice(0, this.options.batchSize));
        if (buffer.length > 0) firstBufferedAt = Date.now();
        continue;
      }
      if (!iterator) break; // closed and drained: its children may start
      await this.sleep(buffer.length > 0 ? Math.max(1, Math.min(pollMs, windowLeft)) : pollMs);
    }
    if (!iterator && buffer.length === 0) this.finished.add(shardId);
  }

  /** Invokes the handler with one batch, then retries, bisects and discards as the mapping does. */
  private async deliver(shardId: string, records: DynamoDBRecord[]): Promise<void> {
    const queue: Segment[] = [{ records, attempts: 0, redelivery: false }];
    const delay = this.options.retryDelayMs ?? defaultRetryDelayMs;
    while (queue.length > 0) {
      const segment = queue.shift() as Segment;
      const outcome = await this.invoke(segment);
      if (this.stopped) return; // the invocation under way has finished: nothing more after stop()
      if (outcome.kind === 'ok') continue;
      if (outcome.kind === 'error' && (this.options.bisectOnError ?? true) && segment.records.length > 1) {
        const half = Math.ceil(segment.records.length / 2);
        queue.unshift(
          { records: segment.records.slice(0, half), attempts: segment.attempts, redelivery: true },
          { records: segment.records.slice(half), attempts: segment.attempts, redelivery: true },
        );
        continue;
      }
      const failing = outcome.kind === 'partial' ? segment.records.slice(outcome.from) : segment.records;
      if (segment.attempts >= this.options.retryAttempts) {
        this.discard(shardId, failing, segment.attempts, outcome);
        continue;
      }
      await this.sleep(delay(segment.attempts + 1));
      if (this.stopped) return;
      queue.unshift({ records: failing, attempts: segment.attempts + 1, redelivery: true });
    }
  }

  private async invoke(segment: Segment): Promise<BatchOutcome> {
    const { records } = segment;
    this.stats.invocations++;
    this.stats.recordsDelivered += records.length;
    if (segment.redelivery) {
      this.stats.recordsRedelivered += records.length;
      for (const record of records) {
        const id = postbackIdOf(record);
        if (id) this.stats.redeliveredPostbackIds.set(id, (this.stats.redeliveredPostbackIds.get(id) ?? 1) + 1);
      }
    }
    let outcome: BatchOutcome;
    try {
      const response = await this.options.handler(
        { Records: [...records] },
        lambdaContext(this.options.functionName ?? 'PublisherFunction', randomUUID(), this.options.timeoutMs),
      );
      outcome = readBatchResponse(records, response);
    } catch (error) {
      outcome = { kind: 'error', error: (error as Error)?.message ?? String(error) };
    }
    this.options.onInvoke?.({
      records: records.length,
      redelivered: segment.redelivery ? records.length : 0,
      outcome: outcome.kind,
      ...(outcome.kind === 'error' ? { error: outcome.error } : {}),
    });
    return outcome;
  }

  private discard(shardId: string, records: readonly DynamoDBRecord[], attempts: number, outcome: BatchOutcome): void {
    this.stats.recordsDiscarded += records.length;
    const batch: DiscardedBatch = {
      at: new Date().toISOString(),
      functionName: this.options.functionName ?? 'PublisherFunction',
      reason: outcome.kind === 'partial' ? 'retries exhausted after a partial batch failure' : 'retries exhausted after a function error',
      ...(outcome.kind === 'error' ? { error: outcome.error } : {}),
      attempts,
      shardId,
      streamArn: this.streamArn,
      startSequenceNumber: sequenceOf(records[0] as DynamoDBRecord),
      endSequenceNumber: sequenceOf(records[records.length - 1] as DynamoDBRecord),
      batchSize: records.length,
      records: records.map((r) => {
        const postbackId = postbackIdOf(r);
        return { sequenceNumber: sequenceOf(r), keys: r.dynamodb?.Keys, ...(postbackId ? { postbackId } : {}) };
      }),
    };
    if (this.options.failuresFile) {
      mkdirSync(path.dirname(this.options.failuresFile), { recursive: true });
      appendFileSync(this.options.failuresFile, `${JSON.stringify(batch)}\n`);
    }
    this.options.onDiscard?.(batch);
  }
}
