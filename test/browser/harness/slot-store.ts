/**
 * Harness module for test/browser/idb-slot-store.spec.ts: the SlotStore contract against
 * IdbSlotStore in real IndexedDB, and the browser's quota refusal, on the grid's own database
 * (GridDB, whose migration 2 adds the slot stores).
 */
import { bytesToHex } from '../../../src/core/bytes.js';
import { deleteGridDB, openGridDB } from '../../../src/adapters/idb/schema.js';
import { IdbSlotStore } from '../../../src/adapters/idb/slot-store.js';
import { MutableSlotServer } from '../../../src/core/storage/mutable-slot-server.js';
import { patternBytes, runContract, si } from '../../contracts/share-store.contract.js';
import { slotStoreContract } from '../../contracts/slot-store.contract.js';

const opts = () => ({ signal: new AbortController().signal });
const randomName = (prefix: string) => `${prefix}-${bytesToHex(crypto.getRandomValues(new Uint8Array(6)))}`;

/** Runs the contract, each case on a fresh node id in one fresh database. */
export async function runSlotStoreContract() {
  const name = randomName('bric-slot-contract');
  const db = await openGridDB({ name });
  try {
    const cases = slotStoreContract(async () => {
      const nodeId = randomName('node');
      return { store: await IdbSlotStore.open(db, { nodeId }, opts()), reopen: () => IdbSlotStore.open(db, { nodeId }, opts()) };
    });
    return await runContract(cases);
  } finally {
    db.close();
    await deleteGridDB(name);
  }
}

/** With the origin's quota made small (the spec sets it over CDP), writes slots until the browser refuses. */
export async function fillSlotsUntilRefused(shareBytes: number) {
  const name = randomName('bric-slot-quota');
  const db = await openGridDB({ name });
  try {
    const store = await IdbSlotStore.open(db, { nodeId: 'quota-node' }, opts());
    const server = new MutableSlotServer({ store, clock: { now: () => Date.now() } }, { nodeId: 'quota-node', capacityBytes: 2 ** 40 });
    const secrets = { writeEnabler: patternBytes(32, 1), renewSecret: patternBytes(32, 2), cancelSecret: patternBytes(32, 3) };
    let stored = 0;
    let error = '';
    for (let n = 0; n < 255 && error === ''; n++) {
      const write = new Map([[0, { test: [], write: [{ offset: 0, data: patternBytes(shareBytes, n) }], newLength: null }]]);
      try {
        await server.slotTestvAndReadvAndWritev(si(n), secrets, write, [], opts());
        stored++;
      } catch (err) {
        error = (err as Error).name;
      }
    }
    const usedAfterRefusal = await store.usedBytes(opts());
    const listed = await store.listAll(opts());
    const reopened = await (await IdbSlotStore.open(db, { nodeId: 'quota-node' }, opts())).usedBytes(opts());
    return { stored, error, usedAfterRefusal, sumOfSlots: listed.reduce((s, x) => s + x.bytes, 0), reopened, quotaRefusals: server.stats().quotaRefusals };
  } finally {
    db.close();
    await deleteGridDB(name);
  }
}

declare global {
  interface BricHarness {
    'slot-store': typeof import('./slot-store.js');
  }
}
