import { InMemoryPostbackStore } from './in-memory-postback-store';
import { CONTRACT_LEASE_SECONDS, describePostbackStoreContract } from './postback-store-contract';

describePostbackStoreContract(
  'the in-memory store (test/fakes)',
  async () => new InMemoryPostbackStore({ leaseSeconds: CONTRACT_LEASE_SECONDS }),
);
