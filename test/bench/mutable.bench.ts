/**
 * Mutable files: ed25519 (@noble/curves, what bric signs slots with) against RSA-2048 (what Tahoe
 * signs SDMF/MDMF with), measured in the same run with node:crypto as the anchor: key generation,
 * signing a share header, verifying it. Then the cost of one version (encrypt, encode 3 of 10,
 * hash, sign) and of directory changes on the memory grid (10 nodes, rpc, fake clock).
 * Ops/s are the best of a few timed batches after a warm-up.
 * @module
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { deriveSskKeys } from '../../src/core/cap/ssk-keys.js';
import { DirectoryClient } from '../../src/core/dirnode/directory.js';
import { MutableFileClient } from '../../src/core/mutable/client.js';
import { signHeader, verifyHeaderSignature } from '../../src/core/mutable/keys.js';
import { signedMessage } from '../../src/core/mutable/layout.js';
import { encodeVersion } from '../../src/core/mutable/version.js';
import { MemoryMutableGrid } from '../fakes/memory-mutable-grid.js';

type Report = (row: { section: string; name: string; value: number; unit: string; anchor?: number; note?: string }) => void;

/** Best operations per second over `batches` timed batches of `count` calls (after one warm-up batch). */
async function opsPerSecond(count: number, batches: number, fn: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < count; i++) await fn(i);
  let best = 0;
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) await fn(i);
    best = Math.max(best, count / ((performance.now() - t0) / 1000));
  }
  return best;
}

const header = new Uint8Array(74).map((_, i) => i * 7);

export async function run(report: Report): Promise<void> {
  const section = 'mutable signatures';
  // RSA-2048 as Tahoe makes and uses it (node:crypto, OpenSSL): the anchor.
  const rsaKeygen = await opsPerSecond(3, 3, () => generateKeyPairSync('rsa', { modulusLength: 2048 }));
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const message = signedMessage(header);
  const rsaSign = await opsPerSecond(50, 3, () => sign('sha256', message, rsa.privateKey));
  const rsaSig = sign('sha256', message, rsa.privateKey);
  const rsaVerify = await opsPerSecond(500, 3, () => verify('sha256', message, rsa.publicKey, rsaSig));

  const seeds = Array.from({ length: 256 }, (_, i) => new Uint8Array(32).fill(i));
  const edKeygen = await opsPerSecond(200, 3, (i) => ed25519.getPublicKey(seeds[i % 256]!));
  const chain = await opsPerSecond(200, 3, (i) => deriveSskKeys(seeds[i % 256]!));
  const keys = deriveSskKeys(seeds[1]!);
  const edSign = await opsPerSecond(200, 3, () => signHeader(header, keys.writeKey));
  const sig = signHeader(header, keys.writeKey);
  const edVerify = await opsPerSecond(200, 3, () => verifyHeaderSignature(header, sig, keys.verifyingKey));

  const note = 'anchor: RSA-2048 through node:crypto (OpenSSL, native), Tahoe-LAFS’s mutable-file key; ed25519 is @noble/curves in JS';
  report({ section, name: 'key generation (ed25519 vs RSA-2048)', value: edKeygen, unit: 'keys/s', anchor: rsaKeygen, note });
  report({ section, name: 'write cap → all keys (ed25519 + read key, storage index, fingerprint)', value: chain, unit: 'caps/s', anchor: rsaKeygen });
  report({ section, name: 'sign a share header (ed25519 vs RSA-2048 SHA-256)', value: edSign, unit: 'signs/s', anchor: rsaSign });
  report({ section, name: 'verify a share header (ed25519 strict vs RSA-2048)', value: edVerify, unit: 'verifies/s', anchor: rsaVerify });

  const versions = 'mutable versions';
  const salt = new Uint8Array(16);
  for (const [label, size, count] of [['1 KiB', 1024, 100], ['1 MiB', 1024 * 1024, 4]] as const) {
    const contents = new Uint8Array(size).fill(3);
    const rate = await opsPerSecond(count, 3, (i) => encodeVersion(keys, { seqnum: i + 1, salt, k: 3, n: 10 }, contents));
    report({ section: versions, name: `encode a ${label} version (encrypt, 3 of 10, hash, sign)`, value: rate, unit: 'versions/s' });
  }

  // Directory changes through the memory grid: map 10 servers, read, re-encode, test-and-set 10 shares.
  const grid = new MemoryMutableGrid({ nodes: 10 });
  const stop = grid.clock.startAuto({ idleMs: 0 });
  try {
    let x = 1;
    const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
    const mutable = new MutableFileClient({ broker: grid, clock: grid.clock, randomBytes }, { leaseSecret: new Uint8Array(32).fill(1) });
    const dirs = new DirectoryClient({ mutable, clock: { now: () => Date.now() } });
    const signal = new AbortController().signal;
    const root = await dirs.create({ signal });
    const lit = { kind: 'lit' as const, data: new Uint8Array(8) };
    const setRate = await opsPerSecond(5, 3, (i) => dirs.set(root, `entry ${i}`, { cap: lit }, { signal }));
    report({ section: versions, name: 'directory set on the memory grid (10 nodes over rpc)', value: setRate, unit: 'changes/s', note: 'one modify: servermap of 10, retrieve, publish 10 test-and-sets' });
    const listRate = await opsPerSecond(5, 3, () => dirs.list(root, { signal }));
    report({ section: versions, name: 'directory list on the memory grid (10 nodes over rpc)', value: listRate, unit: 'lists/s' });
  } finally {
    stop();
    grid.close();
  }
}
