import { fromItem } from '../../../lambda/adapters/attribute-values';
import {
  ATTRIBUTE,
  clientReferenceDigest,
  clientReferenceIndexKeys,
  clientReferenceIndexUpdate,
  historyKey,
  isListedClientReference,
  itemTypeOf,
  keyValues,
  rejectedFromItem,
  rejectedItem,
  rejectedKey,
  rejectedPartitionKey,
  SHARD_COUNT,
  SHARDS,
  shardOf,
  stateKey,
  storedEntryOf,
} from '../../../lambda/adapters/item-vocabulary';
import { toInstant } from '../../../lambda/domain/timestamp';

describe('shardOf', () => {
  it('is stable and always one of the 16 two-digit shards', () => {
    expect(SHARDS).toEqual(['00', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12', '13', '14', '15']);
    for (const value of ['', 'a', 'abc123xyz', '漢字', '\u{1F600}', 'x'.repeat(1000)]) {
      expect(SHARDS).toContain(shardOf(value));
      expect(shardOf(value)).toBe(shardOf(value));
    }
  });

  it('spreads similar ids evenly: each shard gets 1/16 of 16,000 ids within 10%', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 16_000; i++) counts.set(shardOf(`msg-${i}`), (counts.get(shardOf(`msg-${i}`)) ?? 0) + 1);
    expect(counts.size).toBe(SHARD_COUNT);
    for (const count of counts.values()) expect(Math.abs(count - 1000)).toBeLessThan(100);
  });
});

describe('isListedClientReference', () => {
  it.each([
    ['an ordinary reference is listed', 'campaign-7', true],
    ['white space around text', ' a ', true],
    ['empty', '', false],
    ['a space', ' ', false],
    ['tabs and newlines', '\t\n\r', false],
    ['Unicode white space only', '\u00a0\u3000\u2028\ufeff', false],
    ['2,048 ASCII bytes', 'x'.repeat(2048), true],
    ['2,049 ASCII bytes', 'x'.repeat(2049), false],
    ['512 emoji (2,048 UTF-8 bytes)', '\u{1F600}'.repeat(512), true],
    ['513 emoji (2,052 UTF-8 bytes)', '\u{1F600}'.repeat(513), false],
    ['683 CJK characters (2,049 UTF-8 bytes)', '漢'.repeat(683), false],
  ])('%s', (_name, value, listed) => {
    expect(isListedClientReference(value)).toBe(listed);
  });
});

describe('client-reference index keys', () => {
  it('the digest has a fixed length whatever the reference, and differs between references', () => {
    const digests = ['a', 'b', 'A', '\u{1F600}'.repeat(1024), 'x'.repeat(2048)].map(clientReferenceDigest);
    for (const digest of digests) expect(digest).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(digests).size).toBe(digests.length);
  });

  it('a listed reference gets <digest>#<shard of the tracking-id> and the tracking-id; others get none', () => {
    expect(clientReferenceIndexKeys('campaign-7', 'abc123xyz')).toEqual({
      [ATTRIBUTE.clientReferenceKey]: `${clientReferenceDigest('campaign-7')}#${shardOf('abc123xyz')}`,
      [ATTRIBUTE.clientReferenceSortKey]: 'abc123xyz',
    });
    for (const unlisted of [undefined, '', '  ', 'x'.repeat(2049)]) expect(clientReferenceIndexKeys(unlisted, 'abc123xyz')).toBeUndefined();
  });
});

describe('clientReferenceIndexUpdate', () => {
  it('sets the keys of a listed reference, removes them for an unlisted one, and leaves them for none', () => {
    expect(clientReferenceIndexUpdate('second', 'abc123xyz')).toEqual({
      set: { clientReferenceKey: `${clientReferenceDigest('second')}#${shardOf('abc123xyz')}`, clientReferenceSortKey: 'abc123xyz' },
      remove: [],
    });
    for (const unlisted of ['', '  ', 'x'.repeat(2049)]) {
      expect(clientReferenceIndexUpdate(unlisted, 'abc123xyz')).toEqual({
        set: {},
        remove: ['clientReferenceKey', 'clientReferenceSortKey'],
      });
    }
    expect(clientReferenceIndexUpdate(undefined, 'abc123xyz')).toEqual({ set: {}, remove: [] });
  });
});

describe('rejectedItem', () => {
  it("keeps the body's bytes as sent in the Binary attribute bodyBytes, and reads them back", () => {
    const bytes = Uint8Array.from([0x7b, 0xe9, 0x00, 0xff, 0x7d]);
    const item = rejectedItem(
      {
        requestId: 'req-1',
        receivedAt: new Date('2026-04-24T18:30:00Z'),
        statusCode: 400,
        reason: 'invalid_json',
        message: 'm',
        body: '{\u00e9}',
        bodyBytes: bytes,
        truncated: false,
      },
      1_777_000_000,
    );

    expect(item.bodyBytes).toEqual({ B: bytes });
    expect(rejectedFromItem(fromItem(item), item.bodyBytes?.B).bodyBytes).toEqual(bytes);
    expect(rejectedFromItem(fromItem(item))).not.toHaveProperty('bodyBytes');
  });

  it('stores the text of a UTF-8 body once (as its bytes) and reads it back; other text is stored beside the bytes', () => {
    const rejected = {
      requestId: 'req-1',
      receivedAt: new Date('2026-04-24T18:30:00Z'),
      statusCode: 400,
      reason: 'r',
      message: 'm',
      truncated: false,
    };
    const utf8 = Buffer.from('{"a":"José"}', 'utf8');
    const latin1 = Buffer.from('{"a":"José"}', 'latin1');

    const one = rejectedItem({ ...rejected, body: '{"a":"José"}', bodyBytes: utf8 }, 1);
    const two = rejectedItem({ ...rejected, body: '{"a":"José"}', bodyBytes: latin1 }, 1);

    expect(one).not.toHaveProperty('body');
    expect(rejectedFromItem(fromItem(one), one.bodyBytes?.B).body).toBe('{"a":"José"}');
    expect(two.body).toEqual({ S: '{"a":"José"}' });
    expect(rejectedFromItem(fromItem(two), two.bodyBytes?.B).body).toBe('{"a":"José"}');
  });
});

describe('rejectedKey', () => {
  it('puts a record in the partition of its UTC day and its request id shard, sorted by receipt time', () => {
    expect(rejectedKey(new Date('2026-04-24T23:59:59.999-01:00'), 'req-1')).toEqual({
      pk: `REJECTED#2026-04-25#${shardOf('req-1')}`,
      sk: '2026-04-25T00:59:59.999Z#req-1',
    });
  });
});

describe('item types', () => {
  it('tells the state, a history entry and a rejected record apart by their keys', () => {
    const instant = toInstant('2026-04-24T18:30:00Z');
    if (!instant) throw new Error('the fixture timestamp does not parse');
    const history = historyKey({ trackingId: 'abc123xyz', instant, postbackId: 'p-1' });
    const rejected = rejectedKey(new Date('2026-04-24T18:30:00Z'), 'req-1');

    expect(itemTypeOf(stateKey('abc123xyz'))).toEqual({ type: 'state', trackingId: 'abc123xyz' });
    expect(itemTypeOf(history)).toEqual({ type: 'history', trackingId: 'abc123xyz' });
    expect(keyValues(history).sk).toBe(`H#${instant.key}#p-1`);
    expect(itemTypeOf({ [ATTRIBUTE.partitionKey]: { S: rejected.pk }, [ATTRIBUTE.sortKey]: { S: rejected.sk } })).toEqual({
      type: 'rejected',
    });
    expect(itemTypeOf({ [ATTRIBUTE.partitionKey]: { S: 'OTHER#1' }, [ATTRIBUTE.sortKey]: { S: 'STATE' } })).toBeUndefined();
    expect(rejected.pk).toBe(rejectedPartitionKey('2026-04-24', shardOf('req-1')));
  });
});

describe("storedEntryOf (a stream record's new image)", () => {
  const image = {
    pk: { S: 'MSG#abc' },
    sk: { S: 'H#2026#p-1' },
    postbackId: { S: 'p-1' },
    trackingId: { S: 'abc' },
    body: { S: '{"code":"N101"}' },
    receivedAt: { S: '2026-04-24T18:30:00.000Z' },
    isLatest: { BOOL: false },
  };

  it('reads the entry the event is rebuilt from, under the attribute names pinned here', () => {
    expect(storedEntryOf(image)).toEqual({
      postbackId: 'p-1',
      trackingId: 'abc',
      body: '{"code":"N101"}',
      receivedAt: '2026-04-24T18:30:00.000Z',
      isLatest: false,
    });
  });

  it.each(['postbackId', 'trackingId', 'body', 'receivedAt', 'isLatest'])('refuses an image without %s', (name) => {
    const { [name as keyof typeof image]: _left, ...rest } = image;
    expect(() => storedEntryOf(rest)).toThrow(`the history entry has no ${name}`);
    expect(() => storedEntryOf(undefined)).toThrow();
  });
});
