import type { PostbackStore } from '../../lambda/ports';

export interface StoreFaults {
  /** How many mark-published writes fail first (a DynamoDB fault right after PutEvents). @default 0 */
  readonly markPublishedFailures?: number;
  /** Whether every release write fails. @default false */
  readonly releaseFails?: boolean;
}

/**
 * A store (the in-memory fake or the DynamoDB store) whose writes fail as `faults` say,
 * with the number of mark-published attempts made.
 *
 * @example
 * const store = faultyStore(new InMemoryPostbackStore(), { markPublishedFailures: 3 });
 * store.calls.markPublished; // 4 after a postback whose fourth attempt succeeded
 */
export function faultyStore(store: PostbackStore, faults: StoreFaults): PostbackStore & { readonly calls: { markPublished: number } } {
  let failuresLeft = faults.markPublishedFailures ?? 0;
  const calls = { markPublished: 0 };
  return {
    calls,
    claim: (...args) => store.claim(...args),
    saveRejected: (...args) => store.saveRejected(...args),
    release: async (...args) => {
      if (faults.releaseFails) throw new Error('injected DynamoDB fault in release');
      return store.release(...args);
    },
    markPublished: async (...args) => {
      calls.markPublished += 1;
      if (failuresLeft-- > 0) throw new Error('injected DynamoDB fault');
      return store.markPublished(...args);
    },
  };
}
