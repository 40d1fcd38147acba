/**
 * Keeping the home tree alive: every immutable file under the person's home folder goes to
 * automatic repair (durability.ts add), once per file per tab. A walk runs after an upload or a
 * backup and when home opens; one walk at a time, and asks made while one runs fold into a
 * single walk after it, so a burst of uploads costs two walks, never one each.
 * @module
 */
import { toReadOnlyCap } from '../../core/cap/dir.js';
import { formatCap } from '../../core/cap/parse.js';
import type { ChkReadCap, LitCap } from '../../core/cap/types.js';
import type { DirectoryClient, ReadableDirCap } from '../../core/dirnode/directory.js';
import { lenientDirs } from './deep-check.js';
import { walkTree } from './walk.js';

/** The part of NodeDurability the keeper feeds. */
export interface KeepFiles {
  add(cap: ChkReadCap | LitCap): void;
}

export class HomeKeeper {
  /** Caps (text) already handed to durability by this tab: each goes once. */
  readonly #kept = new Set<string>();
  #walking: Promise<void> | undefined;
  /** Folders asked for while a walk ran (by read-only cap text), and the walk that will cover them. */
  readonly #again = new Map<string, ReadableDirCap>();
  #next: Promise<void> | undefined;

  constructor(
    private readonly dirs: () => DirectoryClient,
    private readonly durability: KeepFiles,
  ) {}

  /** How many distinct files this tab handed to durability. */
  get keptCount(): number {
    return this.#kept.size;
  }

  /** Hands one file to durability, unless it was handed already (LIT caps hold their bytes: skipped). */
  keep(cap: ChkReadCap | LitCap): void {
    if (cap.kind !== 'chk') return;
    const key = formatCap(cap);
    if (this.#kept.has(key)) return;
    this.#kept.add(key);
    this.durability.add(cap);
  }

  /**
   * Walks `top` and keeps every file under it. Resolves when a walk that started after this call
   * has finished (a folder that cannot be listed is left out, not an error: the next walk retries).
   */
  keepTree(top: ReadableDirCap, opts: { signal: AbortSignal }): Promise<void> {
    if (this.#walking === undefined) {
      this.#walking = this.#walk([top], opts.signal).finally(() => (this.#walking = undefined));
      return this.#walking;
    }
    // A walk is running: one more after it covers this ask and every other made meanwhile.
    this.#again.set(formatCap(toReadOnlyCap(top)), top);
    this.#next ??= this.#walking.then(() => {
      const tops = [...this.#again.values()];
      this.#again.clear();
      this.#next = undefined;
      this.#walking = this.#walk(tops, opts.signal).finally(() => (this.#walking = undefined));
      return this.#walking;
    });
    return this.#next;
  }

  async #walk(tops: readonly ReadableDirCap[], signal: AbortSignal): Promise<void> {
    for (const top of tops) {
      try {
        for await (const item of walkTree(lenientDirs(this.dirs(), top, () => undefined), top, { signal })) {
          if (item.kind === 'file') this.keep(item.cap);
          // A backup's snapshot folders are CHK files too: they need repair as much as the files.
          else if (item.kind === 'dir' && item.cap.kind === 'dir-chk') this.keep(item.cap.file);
        }
      } catch (error) {
        if (signal.aborted) return;
        console.warn('bric: could not walk a folder for repair:', error);
      }
    }
  }
}
