/**
 * Issue 5, folders: seven tabs of one person (the fewest that give happiness 7 at 3-of-10) make a
 * private grid; one uploads a folder of 50 files in nested folders through the webkitdirectory
 * input and shares it read-only; a new browser opens the link, sees the folder read-only and
 * restores it into a directory (an OPFS handle stands in for the picker's choice) and as a zip;
 * every file's SHA-256 matches. Names that cannot be entries are refused and change nothing. The
 * uploaded folder's health bar deep-checks it: every file healthy.
 */
import { execFileSync } from 'node:child_process';
import { test, expect } from './fixtures.js';
import { folders, opfsHashes, randomTree } from './folders-helpers.js';
import { openGrid, privateGridPath } from './grid-helpers.js';

test('a folder of 50 files in nested folders: upload, share read-only, restore in a new browser with every SHA-256 equal', async ({ newPerson, uniqueName }, testInfo) => {
  test.setTimeout(600_000);
  const tree = await randomTree(testInfo, 'holiday', 50);
  const alice = await newPerson('alice');
  const pages = await openGrid(alice, 7, { path: privateGridPath(uniqueName('folders')) });
  const a = folders(pages[0]!);

  // Bad names first: each is refused in words and nothing is made.
  for (const [name, why] of [['', /cannot be empty/], ['a/b', /contains "\/"/], ['x'.repeat(300), /at most 255/]] as const) {
    await a.section.getByTestId('folder-new-name').fill(name);
    await a.section.getByTestId('folder-new').click();
    await expect(a.error).toContainText(why);
  }
  await expect(a.section.getByTestId('folder-row')).toHaveCount(0);

  // Chromium lists a chosen directory only for the tab in front (a background tab's input never changes).
  await pages[0]!.bringToFront();
  await a.section.getByTestId('folder-upload-input').setInputFiles(tree.root);
  await expect(a.notice).toContainText('Uploaded "holiday": 50 files', { timeout: 400_000 });
  await expect(a.row('holiday')).toHaveAttribute('data-kind', 'folder');

  // Issue 6: the folder's health bar deep-checks its tree (50 files placed on 7 peers: all healthy).
  const bar = a.row('holiday').getByTestId('folder-health');
  await bar.getByTestId('folder-health-check').click();
  await expect(bar.getByTestId('folder-health-words')).toContainText('50 files: 50 healthy', { timeout: 120_000 });
  await expect(bar).toHaveAttribute('data-state', 'healthy');

  // Browse into it: the tree is there.
  await a.row('holiday').getByTestId('folder-open').click();
  await expect(a.row('photos')).toBeVisible();
  await a.section.getByTestId('folder-crumb').first().click();

  await a.row('holiday').getByTestId('folder-share').click();
  const link = (await a.section.getByTestId('folder-share-link').getAttribute('href')) ?? '';
  expect(new URL(link).hash).toMatch(/^#folder=URI:BRIC-DIR1-RO:/);
  expect(new URL(link).search).toBe('');

  const bob = await newPerson('bob');
  const restorer = await bob.open(link);
  const shared = restorer.getByTestId('shared-folder');
  await expect(shared).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(shared.locator('[data-testid="folder-row"][data-name="docs"]')).toBeVisible();
  // Read-only: no way to change it from here.
  await expect(shared.getByTestId('entry-rename')).toHaveCount(0);

  // Restore into a chosen directory: OPFS stands in for the picker's choice.
  await restorer.evaluate(() => {
    (window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }).showDirectoryPicker = () => navigator.storage.getDirectory();
  });
  await shared.getByTestId('shared-restore-folder').click();
  await expect(shared).toHaveAttribute('data-status', 'restored', { timeout: 300_000 });
  await expect(shared.getByTestId('shared-folder-status')).toContainText('Restored 50 files');
  expect(await opfsHashes(restorer, 'holiday')).toEqual(Object.fromEntries(tree.files));

  // And as a zip, through the browser's download (no save picker: the blob way).
  await restorer.evaluate(() => delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker);
  const [download] = await Promise.all([restorer.waitForEvent('download', { timeout: 300_000 }), shared.getByTestId('shared-restore-zip').click()]);
  expect(download.suggestedFilename()).toBe('holiday.zip');
  const zipPath = await download.path();
  const py = `import hashlib,json,sys,zipfile
z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None
print(json.dumps({i.filename[len('holiday/'):]: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist() if not i.is_dir()}))`;
  expect(JSON.parse(execFileSync('python3', ['-c', py, zipPath], { encoding: 'utf8' }))).toEqual(Object.fromEntries(tree.files));
});
