/**
 * The pure parts of the local event source mapping: how it reads a partial batch response
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html) and
 * the Lambda shape of a stream record.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { defaultRetryDelayMs, readBatchResponse, toLambdaRecord } from '../../local/stream-poller';

const records = ['100', '200', '300'].map((SequenceNumber) => ({ dynamodb: { SequenceNumber } }) as DynamoDBRecord);

describe('readBatchResponse', () => {
  it.each([
    ['no answer', undefined],
    ['null', null],
    ['no list', {}],
    ['a null list', { batchItemFailures: null }],
    ['an empty list', { batchItemFailures: [] }],
  ])('%s is a success', (_name, response) => {
    expect(readBatchResponse(records, response)).toEqual({ kind: 'ok' });
  });

  it('retries from the lowest reported sequence number', () => {
    expect(readBatchResponse(records, { batchItemFailures: [{ itemIdentifier: '300' }, { itemIdentifier: '200' }] })).toEqual({
      kind: 'partial',
      from: 1,
    });
    expect(readBatchResponse(records, { batchItemFailures: [{ itemIdentifier: '100' }] })).toEqual({ kind: 'partial', from: 0 });
  });

  it.each([
    ['an empty identifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null identifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a wrong key name', { batchItemFailures: [{ itemId: '200' }] }],
    ['a sequence number of no record of the batch', { batchItemFailures: [{ itemIdentifier: '999' }] }],
  ])('%s fails the whole batch', (_name, response) => {
    expect(readBatchResponse(records, response)).toEqual({ kind: 'error', error: expect.stringContaining('batchItemFailures names') });
  });
});

describe('toLambdaRecord', () => {
  it('gives the record as Lambda does: event source, ARN, the function region, epoch seconds, binary as base64', () => {
    const record = toLambdaRecord(
      {
        eventID: 'e1',
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'ddblocal',
        dynamodb: {
          ApproximateCreationDateTime: new Date('2026-12-06T00:00:01.500Z'),
          Keys: { pk: { S: 'MSG#t' }, sk: { S: 'H#x' } },
          NewImage: {
            pk: { S: 'MSG#t' },
            bin: { B: Uint8Array.from([1, 2, 3]) },
            nested: { M: { list: { L: [{ N: '1' }, { B: Uint8Array.from([255]) }] } } },
          },
          SequenceNumber: '100',
          SizeBytes: 42,
          StreamViewType: 'NEW_IMAGE',
        },
      },
      'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/s',
      'us-east-1',
    );
    expect(record).toEqual({
      eventID: 'e1',
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/s',
      dynamodb: {
        ApproximateCreationDateTime: 1796515201,
        Keys: { pk: { S: 'MSG#t' }, sk: { S: 'H#x' } },
        NewImage: { pk: { S: 'MSG#t' }, bin: { B: 'AQID' }, nested: { M: { list: { L: [{ N: '1' }, { B: '/w==' }] } } } },
        SequenceNumber: '100',
        SizeBytes: 42,
        StreamViewType: 'NEW_IMAGE',
      },
    });
  });
});

describe('defaultRetryDelayMs', () => {
  it('waits 1 s, doubling, at most 8 s', () => {
    expect([1, 2, 3, 4, 5, 6].map(defaultRetryDelayMs)).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });
});
