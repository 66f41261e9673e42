import { ATTRIBUTE } from '../../../lambda/table/attributes';
import {
  clientReferenceDigest,
  clientReferenceIndexKeys,
  clientReferenceIndexUpdate,
  isListedClientReference,
} from '../../../lambda/table/client-reference-index';
import { shardOf } from '../../../lambda/table/shards';

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
