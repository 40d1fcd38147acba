/**
 * Folder health bars (runes, for FolderTable): a deep check of a folder on request, its summary
 * per folder ("12 files: 11 healthy, 1 needs repair"), one deep check at a time in this tab.
 * Files of the person's own tree that the check finds go to automatic repair (home-keeper.ts).
 * @module
 */
import type { Cap, ChkReadCap } from '../../core/cap/types.js';
import type { DirectoryClient, ReadableDirCap } from '../../core/dirnode/directory.js';
import { MutableFileClient } from '../../core/mutable/client.js';
import type { NodeServices } from '../node-api.js';
import { describeError } from '../words.js';
import { isFolderCap } from './walk.js';
import { deepCheck, emptySummary, folderKey, summaryWords, type DeepCheckComponents, type DeepCheckSummary } from './deep-check.js';

export interface FolderReport {
  readonly checking: boolean;
  /** Files and folders checked so far (while checking) or in all. */
  readonly entriesDone: number;
  readonly summary?: DeepCheckSummary;
  /** The summary in words. */
  readonly words?: string;
  readonly error?: string;
  readonly checkedAtMs?: number;
}

export class FolderHealth {
  /** folderKey → its latest report. */
  reports = $state.raw<ReadonlyMap<string, FolderReport>>(new Map());
  #queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly components: DeepCheckComponents,
    private readonly signal: AbortSignal,
    /** Each CHK file found under a folder checked (the home facade keeps them alive). */
    private readonly onFile?: (cap: ChkReadCap) => void,
    /** The node's parts, for the file rows' health bars (absent in tests). */
    readonly services?: NodeServices,
  ) {}

  /** The deep check over this tab's node: file checks go through durability, so health bars and repair learn them. */
  static over(services: NodeServices, dirs: () => DirectoryClient, signal: AbortSignal, onFile?: (cap: ChkReadCap) => void): FolderHealth {
    const happy = services.encoding?.().happy ?? services.client.happy;
    const { k, n } = services.client;
    const mutable = new MutableFileClient(
      { broker: services.broker, clock: services.clock, randomBytes: (len) => crypto.getRandomValues(new Uint8Array(len)) },
      { leaseSecret: services.secrets.leaseSecret, k, n, happy: Math.min(happy, n) },
    );
    const components: DeepCheckComponents = {
      get dirs() {
        return dirs();
      },
      checker: { happy, check: (cap, opts) => services.durability.check(cap, opts) },
      servermap: (cap, opts) => mutable.servermap(cap, opts),
    };
    return new FolderHealth(components, signal, onFile, services);
  }

  /** The latest report of a folder (undefined for any other cap, or a folder never checked here). */
  report(cap: Cap | undefined): FolderReport | undefined {
    return cap === undefined || !isFolderCap(cap) ? undefined : this.reports.get(folderKey(cap));
  }

  /** Deep-checks a folder (queued behind any deep check running); its report updates as entries come in. */
  check(cap: Cap | undefined): Promise<void> {
    if (cap === undefined || !isFolderCap(cap)) return Promise.resolve();
    const key = folderKey(cap);
    if (this.reports.get(key)?.checking === true) return this.#queue;
    this.#set(key, { checking: true, entriesDone: 0, ...this.#previous(key) });
    const turn = this.#queue.then(() => this.#run(key, cap));
    this.#queue = turn.catch(() => undefined);
    return this.#queue;
  }

  /** The last summary, kept on screen while a new check runs. */
  #previous(key: string): Pick<FolderReport, 'summary' | 'words' | 'checkedAtMs'> {
    const old = this.reports.get(key);
    if (old?.summary === undefined) return {};
    return { summary: old.summary, ...(old.words === undefined ? {} : { words: old.words }), ...(old.checkedAtMs === undefined ? {} : { checkedAtMs: old.checkedAtMs }) };
  }

  async #run(key: string, cap: ReadableDirCap): Promise<void> {
    let done = 0;
    const live = emptySummary();
    try {
      const report = await deepCheck(this.components, cap, {
        signal: this.signal,
        onEntry: (entry) => {
          done++;
          if (entry.kind === 'file') this.onFile?.(entry.cap);
          if (done % 5 === 0) this.#set(key, { checking: true, entriesDone: done, ...this.#previous(key) });
        },
      });
      Object.assign(live, report.summary);
      this.#set(key, { checking: false, entriesDone: done, summary: live, words: summaryWords(live), checkedAtMs: Date.now() });
    } catch (error) {
      if (this.signal.aborted) return;
      this.#set(key, { checking: false, entriesDone: done, ...this.#previous(key), error: describeError(error, 'The folder check failed') });
    }
  }

  #set(key: string, report: FolderReport): void {
    const next = new Map(this.reports);
    next.set(key, report);
    this.reports = next;
  }
}
