/**
 * The home folder facade (runes, for FoldersView): the person's root directory on this grid,
 * kept in this browser ('bric-home' IndexedDB) and made on first use; browse, new folder,
 * rename, move, delete, share read-only as a link, upload a local folder (or dropped files), back
 * up a folder, and show or adopt the home cap. Every action checks its names first and reports
 * failures in words; a failed action changes nothing the person can see.
 * @module
 */
import { toReadOnlyCap } from '../../core/cap/dir.js';
import { formatCap, parseCap } from '../../core/cap/parse.js';
import type { Cap, ChkReadCap, DirWriteCap } from '../../core/cap/types.js';
import { assertEntryName } from '../../core/dirnode/names.js';
import { folderLink, type FolderReadCap, type GridRef } from '../links.js';
import type { NodeServices } from '../node-api.js';
import { describeError } from '../words.js';
import { backupFolder, type BackupReport } from './backup.js';
import { FolderBrowser } from './browse.svelte.js';
import { FolderCapError } from './errors.js';
import { FolderHealth } from './folder-health.svelte.js';
import { uploadTree, type FolderProgress } from './folder-upload.js';
import { HomeKeeper, type KeepFiles } from './home-keeper.js';
import { homeLockName, HomeStore } from './home-store.js';
import type { LocalFolder } from './local-folder.js';
import { buildLocalTree, emptyTree } from './local-tree.js';
import { folderPartsOf, type FolderParts } from './parts.js';
import { resolveFolder, splitPath } from './paths.js';
import { isFolderCap } from './walk.js';

/** What the home facade needs: the grid parts and where the home cap is kept (fakes in tests). */
export interface HomeDeps {
  readonly grid: GridRef;
  readonly parts: FolderParts;
  readonly store: { get(grid: GridRef): Promise<string | undefined>; put(grid: GridRef, cap: string): Promise<void> };
  /** Runs `work` holding a lock across this person's tabs. @default navigator.locks */
  readonly lock?: <T>(name: string, work: () => Promise<T>) => Promise<T>;
  /** Waits until the tab is in the grid. */
  readonly joined?: (signal: AbortSignal) => Promise<void>;
  /** Automatic repair (the node's durability): every file of the home tree is handed to it. */
  readonly keep?: KeepFiles;
  /** Makes the folder health bars' deep check (absent: no health bars). */
  readonly health?: (signal: AbortSignal, onFile: (cap: ChkReadCap) => void) => FolderHealth;
}

export type HomeStatus = 'starting' | 'no-home' | 'ready' | 'failed';

export class HomeFolders {
  status = $state<HomeStatus>('starting');
  /** The action running now, in words ("Uploading photos…"), or undefined. */
  busy = $state<string | undefined>(undefined);
  error = $state<string | undefined>(undefined);
  notice = $state<string | undefined>(undefined);
  progress = $state.raw<FolderProgress | undefined>(undefined);
  shareLink = $state<string | undefined>(undefined);
  backupReport = $state.raw<BackupReport | undefined>(undefined);
  /** The home write cap's text, once the person asked to see it. */
  homeCapText = $state<string | undefined>(undefined);
  readonly browser: FolderBrowser;
  /** Deep checks of folders, for their health bars. */
  readonly health: FolderHealth | undefined;
  /** Hands the home tree's files to automatic repair. */
  readonly keeper: HomeKeeper | undefined;
  #home: DirWriteCap | undefined;
  readonly #life = new AbortController();

  constructor(private readonly deps: HomeDeps) {
    this.browser = new FolderBrowser(() => deps.parts.dirs, deps.grid, this.#life.signal);
    this.keeper = deps.keep === undefined ? undefined : new HomeKeeper(() => deps.parts.dirs, deps.keep);
    const keeper = this.keeper;
    this.health = deps.health?.(this.#life.signal, (cap) => keeper?.keep(cap));
  }

  /** The facade over this tab's node. */
  static async open(services: NodeServices): Promise<HomeFolders> {
    const store = await HomeStore.open();
    // The parts follow the person's encoding: a new GridClient (settings saved) means new parts.
    let built = { client: services.client, parts: folderPartsOf(services) };
    const current = (): FolderParts => {
      if (services.client !== built.client) built = { client: services.client, parts: folderPartsOf(services) };
      return built.parts;
    };
    return new HomeFolders({
      grid: services.grid,
      get parts() {
        return current();
      },
      store,
      joined: (s) => services.joined(s),
      keep: services.durability,
      health: (signal, onFile) => FolderHealth.over(services, () => current().dirs, signal, onFile),
    });
  }

  get home(): DirWriteCap | undefined {
    return this.#home;
  }

  async start(): Promise<void> {
    try {
      const text = await this.deps.store.get(this.deps.grid);
      if (text === undefined) {
        this.status = 'no-home';
        return;
      }
      await this.#useHome(parseHome(text));
    } catch (error) {
      this.status = 'failed';
      this.error = describeError(error, 'Your home folder could not be opened');
    }
  }

  stop(): void {
    this.#life.abort();
  }

  mkdir(name: string): Promise<void> {
    return this.#run('New folder failed', `Making "${name}"…`, async (signal) => {
      assertEntryName(name);
      await this.deps.parts.dirs.mkdir(await this.#here(), name, { signal });
      this.notice = `Made the folder "${name}".`;
    });
  }

  rename(from: string, to: string): Promise<void> {
    return this.#run('Rename failed', `Renaming "${from}"…`, async (signal) => {
      assertEntryName(to);
      await this.deps.parts.dirs.rename(await this.#here(), from, to, { signal });
      this.notice = `Renamed "${from}" to "${to}".`;
    });
  }

  /** Moves an entry of this folder into the folder at `pathText` ("/" = home, "a/b" = home's a/b). */
  move(name: string, pathText: string): Promise<void> {
    return this.#run('Move failed', `Moving "${name}"…`, async (signal) => {
      const home = await this.#ensureHome(signal);
      const target = await resolveFolder(this.deps.parts.dirs, home, splitPath(pathText), { signal });
      await this.deps.parts.dirs.move(await this.#here(), name, target, { signal });
      this.notice = `Moved "${name}" to /${splitPath(pathText).join('/')}.`;
    });
  }

  remove(name: string): Promise<void> {
    return this.#run('Delete failed', `Deleting "${name}"…`, async (signal) => {
      await this.deps.parts.dirs.delete(await this.#here(), name, { signal });
      this.notice = `Deleted "${name}" from this folder (its shares stay until their leases end).`;
    });
  }

  /** A read-only link to a folder of this one (or to this folder when `name` is undefined). */
  share(name?: string): Promise<void> {
    return this.#run('Sharing failed', 'Making the link…', async (signal) => {
      let cap: Cap | undefined = this.browser.current;
      let shown = this.browser.crumbs.at(-1)?.name ?? 'home';
      if (name !== undefined) {
        cap = (await this.deps.parts.dirs.get(await this.#here(), name, { signal })).readcap;
        shown = name;
      }
      if (cap === undefined || !isFolderCap(cap)) throw new FolderCapError(`"${shown}" is not a folder`);
      this.shareLink = folderLink(globalThis.location?.origin ?? '', this.deps.grid, toReadOnlyCap(cap) as FolderReadCap, shown);
    }, false);
  }

  /** Uploads a local folder into this folder, keeping its tree. */
  uploadFolder(folder: LocalFolder): Promise<void> {
    return this.#run('Folder upload failed', `Uploading the folder "${folder.name}"…`, async (signal) => {
      const name = folder.name.normalize('NFC');
      assertEntryName(name);
      const tree = buildLocalTree(folder); // every name checked before anything is uploaded
      const here = await this.#here();
      if (this.browser.entry(name) !== undefined) throw new FolderCapError(`this folder has an entry "${name}" already: rename or move it first`);
      const children = await uploadTree(this.deps.parts, tree, { signal, onProgress: (p) => (this.progress = p) });
      const cap = await this.deps.parts.dirs.create({ signal }, children);
      await this.deps.parts.dirs.set(here, name, { cap }, { signal, overwrite: false });
      void this.keeper?.keepTree(cap, { signal });
      this.notice = `Uploaded "${name}": ${this.progress?.filesTotal ?? 0} files.`;
    });
  }

  /** Uploads loose files (dropped, not in a folder) into this folder. */
  uploadFiles(files: readonly File[]): Promise<void> {
    return this.#run('Upload failed', `Uploading ${files.length} files…`, async (signal) => {
      const tree = emptyTree();
      for (const f of files) tree.files.set(f.name.normalize('NFC'), f);
      for (const name of tree.files.keys()) assertEntryName(name);
      const here = await this.#here();
      const children = await uploadTree(this.deps.parts, tree, { signal, onProgress: (p) => (this.progress = p) });
      for (const [name, spec] of children) await this.deps.parts.dirs.set(here, name, spec, { signal });
      for (const spec of children.values()) if (spec.cap.kind === 'chk' || spec.cap.kind === 'lit') this.keeper?.keep(spec.cap);
      this.notice = `Uploaded ${children.size} files.`;
    });
  }

  /** Backs a local folder up into home's Backups/<folder name>/Archives, with Latest. */
  backup(folder: LocalFolder): Promise<void> {
    return this.#run('Backup failed', `Backing up "${folder.name}"…`, async (signal) => {
      assertEntryName(folder.name.normalize('NFC'));
      const home = await this.#ensureHome(signal);
      this.backupReport = undefined;
      const report = await backupFolder(this.deps.parts, home, { ...folder, name: folder.name.normalize('NFC') }, {
        signal,
        now: Date.now(),
        onProgress: (p) => (this.progress = { filesDone: p.filesDone, filesTotal: p.filesTotal, bytesDone: 0, bytesTotal: 0, bytesWritten: 0 }),
      });
      this.backupReport = report;
      void this.keeper?.keepTree(report.snapshot, { signal });
      this.notice = `Backed up "${folder.name}" as Backups/${folder.name}/Archives/${report.archive}.`;
    });
  }

  /** Shows the home write cap (to copy it into another browser). */
  async revealHome(): Promise<void> {
    await this.#run('Home folder failed', 'Making your home folder…', async (signal) => {
      this.homeCapText = formatCap(await this.#ensureHome(signal));
    }, false);
  }

  /** Makes an existing directory write cap this browser's home on this grid (after listing it). */
  adopt(text: string): Promise<void> {
    return this.#run('Using that home folder failed', 'Opening that folder…', async (signal) => {
      const cap = parseHome(text.trim());
      await this.deps.parts.dirs.list(cap, { signal }); // it must be reachable and verify before it replaces anything
      await this.deps.store.put(this.deps.grid, formatCap(cap));
      await this.#useHome(cap);
      this.homeCapText = undefined;
      this.notice = 'This browser now uses that home folder.';
    }, false);
  }

  async #useHome(cap: DirWriteCap): Promise<void> {
    this.#home = cap;
    this.status = 'ready';
    // Once per home opened: files added from other browsers or before this version reach repair too.
    void this.keeper?.keepTree(cap, { signal: this.#life.signal });
    await this.browser.reset({ name: 'home', cap });
  }

  /** The home folder, made (once across this person's tabs) when it does not exist yet. */
  async #ensureHome(signal: AbortSignal): Promise<DirWriteCap> {
    if (this.#home !== undefined) return this.#home;
    await this.deps.joined?.(signal);
    const lock = this.deps.lock ?? ((name, work) => navigator.locks.request(name, { signal }, work));
    const cap = await lock(homeLockName(this.deps.grid), async () => {
      const saved = await this.deps.store.get(this.deps.grid);
      if (saved !== undefined) return parseHome(saved);
      const made = await this.deps.parts.dirs.create({ signal });
      await this.deps.store.put(this.deps.grid, formatCap(made));
      return made;
    });
    await this.#useHome(cap);
    return cap;
  }

  /** The folder shown now (home, made on first use). */
  async #here(): Promise<NonNullable<FolderBrowser['current']>> {
    const current = this.browser.current;
    if (current !== undefined) return current;
    return this.#ensureHome(this.#life.signal);
  }

  async #run(lead: string, doing: string, work: (signal: AbortSignal) => Promise<void>, refresh = true): Promise<void> {
    if (this.busy !== undefined) return;
    this.busy = doing;
    this.error = undefined;
    this.notice = undefined;
    this.progress = undefined;
    try {
      await work(this.#life.signal);
    } catch (error) {
      this.error = describeError(error, lead);
    } finally {
      this.busy = undefined;
    }
    if (refresh) await this.browser.refresh();
  }
}

function parseHome(text: string): DirWriteCap {
  let cap;
  try {
    cap = parseCap(text);
  } catch (error) {
    throw new FolderCapError(`that is not a cap: ${(error as Error).message}`, { cause: error });
  }
  if (cap.kind === 'dir') return cap;
  if (cap.kind === 'dir-ro') throw new FolderCapError('that is a read-only folder cap: a home folder must be writable (its owner can give you the write cap)');
  throw new FolderCapError(`that is a ${cap.kind} cap, not a folder’s write cap (URI:BRIC-DIR1:…)`);
}
