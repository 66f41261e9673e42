import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { CallOptions } from '../ports';
import { KEYS, PRECEDENCE_ATTRIBUTE, STATUS_DUE_ATTRIBUTES, TABLE_DEFINITION } from '../table-definition';
import { fromItem } from './attribute-values';
import { messageKey, PUBLISHED } from './dynamodb-store';

/** One accepted postback of a message, as the query API shows it. */
export interface HistoryEntry {
  readonly postbackId: string;
  readonly code: string;
  readonly status?: string;
  readonly timestamp: string;
  readonly receivedAt: string;
  readonly detailType: string;
  /** Whether its event is out; a stored postback whose event is not out yet is published by the relay. */
  readonly published: boolean;
}

export type MessageState = Readonly<Record<string, unknown>>;

export interface MessageView {
  /** The latest state; `undefined` when the message only has unrecognized postbacks. */
  readonly state: MessageState | undefined;
  /** Every stored postback, oldest first (by timestamp), each with whether its event is out. */
  readonly history: readonly HistoryEntry[];
}

export interface MessagePage {
  readonly items: readonly MessageState[];
  /** The key to continue after, or `undefined` on the last page. */
  readonly lastKey: Record<string, string> | undefined;
}

/** The read side of the store. */
export interface MessageReader {
  getMessage(trackingId: string, options?: CallOptions): Promise<MessageView | undefined>;
  listByClientReference(
    clientReference: string,
    limit: number,
    startKey?: Record<string, string>,
    options?: CallOptions,
  ): Promise<MessagePage>;
}

/** Attributes of state items that are storage details, not part of the answer. */
const INTERNAL_ATTRIBUTES = new Set([
  'pk',
  'sk',
  'rank',
  'tsKey',
  PRECEDENCE_ATTRIBUTE,
  'expiresAt',
  ...Object.values(STATUS_DUE_ATTRIBUTES),
]);

export function stateView(item: Record<string, AttributeValue>): MessageState {
  const plain = fromItem(item);
  for (const name of INTERNAL_ATTRIBUTES) delete plain[name];
  return plain;
}

function historyView(item: Record<string, AttributeValue>): HistoryEntry {
  const entry: Record<string, unknown> = {
    postbackId: item.postbackId?.S,
    code: item.code?.S,
    status: item.status?.S,
    timestamp: item.timestamp?.S,
    receivedAt: item.receivedAt?.S,
    detailType: item.detailType?.S,
    published: item.pub?.S === PUBLISHED,
  };
  if (entry.status === undefined) delete entry.status;
  return entry as unknown as HistoryEntry;
}

function plainKey(key: Record<string, AttributeValue> | undefined): Record<string, string> | undefined {
  if (!key) return undefined;
  return Object.fromEntries(Object.entries(key).map(([name, value]) => [name, value.S ?? '']));
}

/**
 * Reads messages with one Query per answer: the state and the history of a message share
 * a partition, and the client-reference lookup uses the sparse index `byClientReference`.
 *
 * @example
 * const view = await new DynamoDbMessageReader(client, 'postbacks').getMessage('abc123xyz');
 */
export class DynamoDbMessageReader implements MessageReader {
  constructor(
    private readonly client: Pick<DynamoDBClient, 'send'>,
    private readonly tableName: string,
  ) {}

  async getMessage(trackingId: string, options: CallOptions = {}): Promise<MessageView | undefined> {
    const items: Record<string, AttributeValue>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      // One Query in practice; a message whose history exceeds 1 MB continues on more pages.
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: messageKey(trackingId) } },
          ExclusiveStartKey: startKey,
        }),
        options,
      );
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    if (items.length === 0) return undefined;
    const stateItem = items.find((item) => item.sk?.S === KEYS.stateSortKey);
    const history = items.filter((item) => item.sk?.S?.startsWith(KEYS.historyPrefix)).map(historyView);
    if (!stateItem && history.length === 0) return undefined;
    return { state: stateItem ? stateView(stateItem) : undefined, history };
  }

  async listByClientReference(
    clientReference: string,
    limit: number,
    startKey?: Record<string, string>,
    options: CallOptions = {},
  ): Promise<MessagePage> {
    const index = TABLE_DEFINITION.globalSecondaryIndexes[0];
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: '#ref = :ref',
        ExpressionAttributeNames: { '#ref': index.partitionKey.name },
        ExpressionAttributeValues: { ':ref': { S: clientReference } },
        ScanIndexForward: false, // newest first
        Limit: limit,
        ExclusiveStartKey: startKey ? Object.fromEntries(Object.entries(startKey).map(([name, value]) => [name, { S: value }])) : undefined,
      }),
      options,
    );
    return { items: (out.Items ?? []).map(stateView), lastKey: plainKey(out.LastEvaluatedKey) };
  }
}
