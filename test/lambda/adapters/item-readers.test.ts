import { storedEntryOf } from '../../../lambda/adapters/item-readers';

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
