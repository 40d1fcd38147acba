/**
 * Repairing a file with only its verify cap (Tahoe's immutable/repairer.py, without the read key):
 * census → open k good shares (UEB verified against the cap) → plan and allocate the missing
 * copies on servers that hold none (happiness restored as far as the servers allow) → per
 * segment, verified crypttext → every share's block → write the new copies' blocks → rebuild all
 * hash trees and the UEB, which must hash back to the cap → write the rest, close → census again.
 * @module
 */
import { equalBytes } from '../bytes.js';
import { HashTree } from '../hash/hashtree.js';
import { NotEnoughSharesError } from '../immutable/errors.js';
import { blockOffset, encodeHeader, encodeShareHashChain, shareHashChainIndices } from '../immutable/layout.js';
import { segmentSpan } from '../immutable/segmentation.js';
import { encodeUeb, hashUeb } from '../immutable/ueb.js';
import type { VerifiedFile } from '../immutable/verified-share.js';
import type { CheckResult, CorruptShare, ServerShares } from './check-result.js';
import { censusOfTarget, summarizeCensus, type CheckConfig } from './check.js';
import type { Census } from './census.js';
import { CrypttextReader, type Candidate } from './crypttext-reader.js';
import { RegeneratedShareMismatchError } from './errors.js';
import { NewShares } from './new-shares.js';
import { planRepair } from './plan.js';
import { BlockRegenerator, treeBytes } from './regenerate.js';
import type { CopyContext } from './share-copy.js';
import type { FileTarget } from './target.js';
import type { VerifyComponents } from './verify.js';

export interface RepairConfig extends CheckConfig {
  /** The person's lease secret: new copies are leased with it, and existing ones renewed. */
  readonly leaseSecret: Uint8Array;
}

export interface RepairOptions {
  signal: AbortSignal;
  /** Copies known to be corrupt (from a verify): they count as missing, and their holders get no new shares. */
  corrupt?: readonly CorruptShare[];
  /** Segments regenerated so far, of all. */
  onProgress?(segmentsDone: number, segments: number): void;
}

export interface RepairResult {
  /** The file's health before repair (leases renewed on the way). */
  readonly before: CheckResult;
  /** Its health after, from a new census (known-corrupt copies not counted). */
  readonly after: CheckResult;
  /** New copies written and closed, per server. */
  readonly placed: readonly ServerShares[];
  readonly sharesWritten: number;
  /** Share bytes read (k shares' blocks and hash trees, about the file size) and written. */
  readonly bytesRead: number;
  readonly bytesWritten: number;
  /** Corrupt copies met while reading (reported to their holders), besides those given. */
  readonly corruptFound: readonly CorruptShare[];
  /** Why nothing was written, when nothing was. */
  readonly note?: string;
}

/**
 * Regenerates the missing share copies of a file and places them. Throws NotEnoughSharesError
 * when fewer than k good shares are reachable, RegeneratedShareMismatchError when the shares do
 * not follow from the file's data (nothing is left allocated then).
 */
export async function repairFile(components: VerifyComponents, config: RepairConfig, target: FileTarget, opts: RepairOptions): Promise<RepairResult> {
  const { storageIndex, expected } = target;
  const { signal } = opts;
  const censusOf = (corrupt: readonly CorruptShare[], leaseSecret?: Uint8Array): Promise<Census> =>
    censusOfTarget(components, config, target, { leaseSecret, corrupt }, signal);
  const summary = (census: Census, corrupt: readonly CorruptShare[]): CheckResult => summarizeCensus(config, target, census, corrupt);

  const given = opts.corrupt ?? [];
  const census = await censusOf(given, config.leaseSecret);
  const before = summary(census, given);
  if (!before.recoverable) throw new NotEnoughSharesError(before.distinctShares, expected.k);

  const ctx: CopyContext = { clock: components.clock, timeoutMs: config.requestTimeoutMs, storageIndex, bytesRead: 0, corrupt: [] };
  const result = (placed: ServerShares[], after: CheckResult, bytesWritten: number, note?: string): RepairResult => ({
    before,
    after,
    placed,
    sharesWritten: placed.reduce((sum, p) => sum + p.shares.length, 0),
    bytesRead: ctx.bytesRead,
    bytesWritten,
    corruptFound: [...ctx.corrupt],
    ...(note === undefined ? {} : { note }),
  });
  // With every server taking shares the plan is at its largest: empty, there is nothing to do,
  // and no share needs reading.
  if (planFor(census, given, expected.n).size === 0) {
    return result([], before, 0, 'nothing to repair: every share is on as many distinct servers as are reachable');
  }

  const reader = new CrypttextReader(ctx, candidates(census, given, expected.k), expected, components.runner, signal);
  const file = await reader.open();
  const corruptNow = (): CorruptShare[] => [...given, ...ctx.corrupt];
  const shares = new NewShares(
    components.clock,
    { storageIndex, n: expected.n, shareSize: file.layout.end, leaseSecret: config.leaseSecret, timeoutMs: config.requestTimeoutMs },
    census.answered,
    corruptNow(),
  );
  if ((await shares.allocate(signal)) === 0) {
    const after = summary(census, corruptNow());
    const note = `no server could take a new share (${census.answered.length} reachable, ${after.happiness} holding distinct good shares)`;
    return result([], after, 0, note);
  }
  let placed: ServerShares[];
  try {
    await writeShares(file, expected.uebHash, reader, shares, components, opts);
    placed = await shares.closeAll(signal);
  } catch (err) {
    await shares.abortOpen();
    throw err;
  }
  return result(placed, summary(await censusOf(corruptNow()), corruptNow()), shares.bytesWritten);
}

/** The repair plan with the census as it is: holders of corrupt copies take nothing new. */
function planFor(census: Census, corrupt: readonly CorruptShare[], n: number): Map<string, number[]> {
  const bad = new Set(corrupt.map((c) => `${c.id}/${c.share}`));
  return planRepair({
    peers: census.answered.map((h) => h.id),
    readonly: new Set(corrupt.map((c) => c.id)),
    n,
    holdings: new Map(census.answered.map((h) => [h.id, h.shares.filter((s) => !bad.has(`${h.id}/${s}`))])),
  });
}

/** Good copies in the order to read them: primaries first (decoding them is a copy), ring order within. */
function candidates(census: Census, corrupt: readonly CorruptShare[], k: number): Candidate[] {
  const bad = new Set(corrupt.map((c) => `${c.id}/${c.share}`));
  const all = census.answered.flatMap((holder) => holder.shares.filter((s) => !bad.has(`${holder.id}/${s}`)).map((share) => ({ holder, share })));
  return all.sort((a, b) => Number(a.share >= k) - Number(b.share >= k)); // stable: ring order kept
}

/** Streams every segment's new blocks to the new copies, then their hash trees and UEB. */
async function writeShares(
  file: VerifiedFile,
  uebHash: Uint8Array,
  reader: CrypttextReader, shares: NewShares,
  components: VerifyComponents,
  opts: RepairOptions,
): Promise<void> {
  const { signal } = opts;
  const { seg, layout, ueb } = file;
  const { k, n } = seg;
  const targets = shares.shareNums();
  await Promise.all(targets.map((s) => shares.write(s, 0, encodeHeader(layout, s), signal)));
  const regen = new BlockRegenerator(k, n, components.runner);
  for (let j = 0; j < seg.numSegments; j++) {
    if (shares.shareNums().length === 0) return; // every server being written to was lost
    const span = segmentSpan(seg, j);
    const got = await reader.segment(j);
    const blocks = await regen.segment(span, got, targets, signal);
    const at = blockOffset(layout, seg, j);
    await Promise.all(targets.map((s) => shares.write(s, at, blocks.get(s)!, signal)));
    opts.onProgress?.(j + 1, seg.numSegments);
  }

  // Every tree is rebuilt from regenerated, verified hashes; nothing unverified is copied.
  const blockTrees = regen.blockHashes.map((leaves) => new HashTree(leaves));
  const shareTree = new HashTree(blockTrees.map((t) => t.root));
  const crypttextTree = new HashTree(regen.crypttextHashes);
  const uebBytes = encodeUeb(seg, crypttextTree.root, shareTree.root);
  if (!equalBytes(shareTree.root, ueb.shareRoot) || !equalBytes(crypttextTree.root, ueb.crypttextRoot) || !equalBytes(hashUeb(uebBytes), uebHash)) {
    throw new RegeneratedShareMismatchError(
      "shares regenerated from the file's verified blocks do not match the hash roots in its UEB: the uploader's parity blocks do not follow from its data, so repair kept no new share",
    );
  }
  const crypttextNodes = treeBytes(crypttextTree);
  await Promise.all(
    targets.map((s) => {
      const chain = new Map(shareHashChainIndices(s, n).map((i) => [i, shareTree.node(i)] as const));
      const tail = new Uint8Array(layout.end - layout.blockHashTree);
      tail.set(treeBytes(blockTrees[s]!), 0);
      tail.set(encodeShareHashChain(chain, s, n), layout.shareHashChain - layout.blockHashTree);
      tail.set(crypttextNodes, layout.crypttextHashTree - layout.blockHashTree);
      tail.set(uebBytes, layout.ueb - layout.blockHashTree);
      return shares.write(s, layout.blockHashTree, tail, signal);
    }),
  );
}
