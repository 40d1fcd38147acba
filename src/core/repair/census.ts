/**
 * The census of one file: ask the servers present, in permuted-ring order and a bounded number at
 * a time, which shares of the storage index they hold (listShares only: no share data), until
 * happiness N is seen or every server was asked, and optionally renew our lease there (Tahoe's
 * check --add-lease). The ground truth for check, verify and repair alike; a server that fails
 * or is too slow is named, not retried.
 * @module
 */
import { nodeIdBytes, nodeIdKey, serverName, type ServerDescriptor, type StorageBroker } from '../grid/broker.js';
import { withDeadline, type Clock } from '../grid/clock.js';
import { deriveLeaseSecrets } from '../grid/lease-secrets.js';
import { permuteServers } from '../grid/ring.js';
import type { StorageApi } from '../storage/api.js';
import { goodShareMap, type CorruptShare, type ServerAnswer } from './check-result.js';
import { serversOfHappiness } from '../grid/happiness.js';

export interface CensusInit {
  readonly storageIndex: Uint8Array;
  /** N: share numbers outside 0..N−1 in an answer are ignored. */
  readonly n: number;
  /** listShares requests in flight at once. */
  readonly concurrency: number;
  /** Time one server has to connect and answer (and to renew the lease). */
  readonly timeoutMs: number;
  /** Given: renew (or add) our lease on the file at every server that holds shares of it. */
  readonly leaseSecret?: Uint8Array;
  /**
   * Ask every server present even once the shares found already reach happiness N (nothing
   * further can add to it). Verify does, to check every copy; check and repair need not, which on
   * a large grid spares dialling every tab for every healthy file.
   */
  readonly everyServer?: boolean;
  /** Copies known corrupt: they do not count toward happiness N. */
  readonly corrupt?: readonly CorruptShare[];
}

/** One server that answered, with the connection to reach it again. */
export interface CensusServer extends ServerAnswer {
  readonly server: ServerDescriptor;
  readonly api: StorageApi;
}

export interface Census {
  /** Every server present when the census began, in ring order. */
  readonly ring: readonly ServerDescriptor[];
  /** Servers asked (the first of the ring; all of it unless happiness N was seen sooner). */
  readonly asked: number;
  /** Servers that answered (with or without shares), in ring order. */
  readonly answered: readonly CensusServer[];
  /** Names of the servers that failed or did not answer in time. */
  readonly unreachable: readonly string[];
  /** Servers whose lease was renewed. */
  readonly leasesRenewed: number;
}

/** Asks every server present which shares it holds. Rejects only when `signal` aborts. */
export async function takeCensus(broker: StorageBroker, clock: Clock, init: CensusInit, signal: AbortSignal): Promise<Census> {
  signal.throwIfAborted();
  const ring = permuteServers(init.storageIndex, broker.servers());
  const answers: (CensusServer | undefined)[] = new Array(ring.length);
  const failed: (string | undefined)[] = new Array(ring.length);
  let leasesRenewed = 0;
  let next = 0;
  // Happiness N is the most there is: no server further along can add to it.
  const complete = (): boolean =>
    init.everyServer !== true && serversOfHappiness(goodShareMap(answers.filter((a): a is CensusServer => a !== undefined), init.corrupt ?? [])) >= init.n;
  const worker = async (): Promise<void> => {
    while (next < ring.length && !complete()) {
      const at = next++;
      const server = ring[at]!;
      const name = serverName(server);
      try {
        const { api, shares } = await withDeadline(clock, init.timeoutMs, signal, `peer ${name}`, async (sig) => {
          const api = await broker.connect(server.nodeId, { signal: sig });
          return { api, shares: await api.listShares(init.storageIndex, { signal: sig }) };
        });
        const valid = [...new Set(shares)].filter((s) => Number.isSafeInteger(s) && s >= 0 && s < init.n).sort((a, b) => a - b);
        answers[at] = { server, api, name, id: nodeIdKey(server.nodeId), shares: valid };
        if (init.leaseSecret !== undefined && valid.length > 0 && (await renewLease(clock, init, server, api, signal))) leasesRenewed++;
      } catch {
        signal.throwIfAborted();
        failed[at] = name;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(init.concurrency, ring.length) }, worker));
  return {
    ring,
    asked: next,
    answered: answers.filter((a): a is CensusServer => a !== undefined),
    unreachable: failed.filter((f): f is string => f !== undefined),
    leasesRenewed,
  };
}

/** Renews our lease at one server; a refusal (too many leases, share just collected) is not fatal. */
async function renewLease(clock: Clock, init: CensusInit, server: ServerDescriptor, api: StorageApi, signal: AbortSignal): Promise<boolean> {
  const { renewSecret, cancelSecret } = deriveLeaseSecrets(init.leaseSecret!, init.storageIndex, nodeIdBytes(server.nodeId));
  try {
    await withDeadline(clock, init.timeoutMs, signal, `peer ${serverName(server)}`, (sig) =>
      api.addLease(init.storageIndex, renewSecret, cancelSecret, { signal: sig }),
    );
    return true;
  } catch {
    signal.throwIfAborted();
    return false;
  }
}
