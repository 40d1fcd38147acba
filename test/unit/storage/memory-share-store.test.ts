/** The ShareStore contract against the memory store. */
import { describe, it } from 'vitest';
import { MemoryShareStore } from '../../../src/adapters/memory/memory-share-store.js';
import { shareStoreContract } from '../../contracts/share-store.contract.js';

describe('MemoryShareStore passes the ShareStore contract', () => {
  for (const c of shareStoreContract(async () => ({ store: new MemoryShareStore() }))) it(c.name, c.run);
});
