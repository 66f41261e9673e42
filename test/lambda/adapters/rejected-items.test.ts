import { fromItem } from '../../../lambda/adapters/attribute-values';
import { rejectedFromItem, rejectedItem } from '../../../lambda/adapters/rejected-items';

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
