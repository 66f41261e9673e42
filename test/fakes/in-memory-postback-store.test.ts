import { InMemoryPostbackStore } from './in-memory-postback-store';
import { describePostbackStoreContract } from './postback-store-contract';

describePostbackStoreContract('the in-memory store (test/fakes)', async () => new InMemoryPostbackStore());
