/**
 * Compile-time checks of the exported event types. Not a jest test (swc strips types, so
 * jest could not fail on them): `npm run typecheck` (tsc over test/) fails when one of them
 * does not hold. Each check is exact (`Equal`), and the `@ts-expect-error` lines fail when
 * a type becomes wider than it should be (an `any` would pass a plain assignment).
 */
import type { PostbackEvent } from '../../lambda/events';

/** True when X and Y are the same type (not merely assignable: `any` is not 'N102'). */
type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

type Detail<T extends PostbackEvent['detail-type']> = PostbackEvent<T>['detail'];

export type EventTypeChecks = [
  Expect<Equal<Detail<'MMS Delivered'>['code'], 'N102'>>,
  Expect<Equal<Detail<'MMS Delivered'>['outcome'], 'success'>>,
  Expect<Equal<Detail<'MMS Template Transcoding Failed'>['code'], 'E002' | 'E003' | 'E004'>>,
  Expect<Equal<Detail<'MMS Postback Unrecognized'>['isLatest'], false>>,
  Expect<Equal<PostbackEvent<'MMS Delivered'>['detail-type'], 'MMS Delivered'>>,
];

/** Narrowing by `detail-type` gives each branch its own Detail. */
export function narrowsByDetailType(event: PostbackEvent): string {
  switch (event['detail-type']) {
    case 'MMS Delivered': {
      const code: 'N102' = event.detail.code;
      // @ts-expect-error: a delivered message has no failure code
      const wrong: 'E102' = event.detail.code;
      return `${code} ${wrong} ${event.detail.handset ?? ''}`;
    }
    case 'MMS Postback Unrecognized': {
      // @ts-expect-error: an unrecognized postback never becomes the latest state
      const latest: true = event.detail.isLatest;
      return String(latest);
    }
    default:
      return event.detail.outcome;
  }
}
