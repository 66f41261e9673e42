/**
 * What is stored outlives the code. A deployed table keeps its key schema, its indexes and
 * the items already written: renaming an index or one of its key attributes replaces the
 * index on the next deploy (or fails it, as one update may change one index only:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.OnlineOps.html), and
 * changing a key prefix or the shard function strands every item written before. So each
 * fact below is a literal, not what the code under test computes: a change must be made
 * here on purpose, with a migration.
 */

import { toInstant } from '../../lambda/domain/timestamp';
import { ATTRIBUTE } from '../../lambda/table/attributes';
import { clientReferenceDigest, clientReferenceIndexKeys } from '../../lambda/table/client-reference-index';
import { historyKey, KEYS, keyAttributes, rejectedKey, rejectedPartitionKey, stateKey } from '../../lambda/table/keys';
import { SHARDS, shardOf } from '../../lambda/table/shards';
import { CLIENT_REFERENCE_INDEX, createTableInput, STATUS_DUE, TABLE_DEFINITION } from '../../lambda/table/table-definition';

describe('the table and its indexes', () => {
  it('keeps the table key schema and its TTL attribute', () => {
    expect(TABLE_DEFINITION.partitionKey).toEqual({ name: 'pk', type: 'S' });
    expect(TABLE_DEFINITION.sortKey).toEqual({ name: 'sk', type: 'S' });
    expect(TABLE_DEFINITION.timeToLiveAttribute).toBe('expiresAt');
  });

  it('keeps every index: its name, key schema and projection', () => {
    const input = createTableInput('postbacks');
    expect(input.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(input.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'byClientReference',
        KeySchema: [
          { AttributeName: 'clientReferenceKey', KeyType: 'HASH' },
          { AttributeName: 'clientReferenceSortKey', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
      {
        IndexName: 'byStatusDue',
        KeySchema: [
          { AttributeName: 'statusDueShard', KeyType: 'HASH' },
          { AttributeName: 'statusDueAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ]);
    expect([...input.AttributeDefinitions].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName))).toEqual([
      { AttributeName: 'clientReferenceKey', AttributeType: 'S' },
      { AttributeName: 'clientReferenceSortKey', AttributeType: 'S' },
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'statusDueAt', AttributeType: 'N' },
      { AttributeName: 'statusDueShard', AttributeType: 'S' },
    ]);
  });

  it('keeps the index names and key attributes the readers query by', () => {
    expect(CLIENT_REFERENCE_INDEX).toMatchObject({
      indexName: 'byClientReference',
      partitionKey: { name: 'clientReferenceKey', type: 'S' },
      sortKey: { name: 'clientReferenceSortKey', type: 'S' },
    });
    expect(STATUS_DUE).toEqual({ indexName: 'byStatusDue', shardAttribute: 'statusDueShard', dueAttribute: 'statusDueAt' });
  });

  it('keeps the attribute names that items already hold, every one of them', () => {
    // Complete on purpose: a new attribute is added here too, a renamed one fails.
    expect(ATTRIBUTE).toStrictEqual({
      partitionKey: 'pk',
      sortKey: 'sk',
      expiresAt: 'expiresAt',
      postbackId: 'postbackId',
      trackingId: 'trackingId',
      code: 'code',
      status: 'status',
      timestamp: 'timestamp',
      detailType: 'detailType',
      receivedAt: 'receivedAt',
      instantKey: 'instantKey',
      isLatest: 'isLatest',
      body: 'body',
      precedence: 'precedence',
      catalogRank: 'catalogRank',
      updatedAt: 'updatedAt',
      clientReferenceKey: 'clientReferenceKey',
      clientReferenceSortKey: 'clientReferenceSortKey',
      statusDueShard: 'statusDueShard',
      statusDueAt: 'statusDueAt',
      statusWaitStartedAt: 'statusWaitStartedAt',
      // Rejected records, read back by the replay scripts (adapters/rejected-records.ts).
      kind: 'kind',
      requestId: 'requestId',
      statusCode: 'statusCode',
      reason: 'reason',
      message: 'message',
      details: 'details',
      contentType: 'contentType',
      sourceIp: 'sourceIp',
      truncated: 'truncated',
      bodyBytes: 'bodyBytes',
      replay: 'replay',
    });
  });
});

describe('key prefixes and keys', () => {
  it('keeps every key prefix and fixed sort key', () => {
    expect(KEYS).toEqual({ messagePrefix: 'MSG#', stateSortKey: 'STATE', historyPrefix: 'H#', rejectedPrefix: 'REJECTED#' });
  });

  it('builds the keys of a state, a history entry and a rejected record as before', () => {
    expect(stateKey('abc123xyz')).toEqual({ pk: 'MSG#abc123xyz', sk: 'STATE' });
    expect(keyAttributes(stateKey('abc123xyz'))).toEqual({ pk: { S: 'MSG#abc123xyz' }, sk: { S: 'STATE' } });
    const instant = toInstant('2014-02-03T11:19:49-05:00');
    if (!instant) throw new Error('the timestamp does not parse');
    expect(historyKey({ trackingId: 'abc123xyz', instant, postbackId: 'p1' })).toEqual({
      pk: 'MSG#abc123xyz',
      sk: 'H#2014-02-03T16:19:49.000000000Z#p1',
    });
    expect(rejectedPartitionKey('2026-04-24', '03')).toBe('REJECTED#2026-04-24#03');
    expect(rejectedKey(new Date('2026-04-24T18:34:00.123Z'), 'req-1')).toEqual({
      pk: 'REJECTED#2026-04-24#10',
      sk: '2026-04-24T18:34:00.123Z#req-1',
    });
  });
});

describe('shards', () => {
  it('are the sixteen two-digit suffixes', () => {
    expect(SHARDS).toEqual(['00', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12', '13', '14', '15']);
  });

  it.each([
    ['abc123xyz', '10'],
    ['mo123xyz', '13'],
    ['msg-0', '05'],
    ['req-1', '10'],
    ['', '02'],
  ])('the shard of %j is %s', (value, shard) => {
    expect(shardOf(value)).toBe(shard);
  });

  it('keeps the client-reference index keys: digest and shard of the tracking-id', () => {
    expect(clientReferenceDigest('send-001')).toBe('mMvQACm8fJCJMnRyMJpnbw');
    expect(clientReferenceIndexKeys('send-001', 'abc123xyz')).toEqual({
      clientReferenceKey: 'mMvQACm8fJCJMnRyMJpnbw#10',
      clientReferenceSortKey: 'abc123xyz',
    });
  });
});
