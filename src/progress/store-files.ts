// The class store's files on disk, looked at before SQLite opens them, and kept private.
//
// Why before: given a missing or empty labdeck.sqlite beside a WAL, SQLite starts a new database and resets that WAL,
// and the class in it (every attendee's token) is gone without a word. Such leftovers are refused here, naming the
// file and saying what to do; nothing is ever deleted. Private: the store holds every token, so the data folder this
// creates is 0700 and the store files 0600 (SQLite gives the -wal and -shm it creates the mode of labdeck.sqlite).
import { chmodSync, closeSync, mkdirSync, openSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LabdeckError } from '../errors.ts';

export const storeFileName = 'labdeck.sqlite';
const walSuffix = '-wal';
const storeFileSuffixes = ['', walSuffix, '-shm'] as const;

export interface StoreFiles {
  readonly file: string;
  /** labdeck.sqlite holds a database (it is neither missing nor empty). */
  readonly exists: boolean;
  /** The WAL's size when looked at: a class may live there only, until a checkpoint copies it over. */
  readonly walBytes: number;
}

/** What the data folder holds; throws when opening it could lose a class that may be in a WAL. */
export function inspectStoreFiles(dataDir: string): StoreFiles {
  const file = join(dataDir, storeFileName);
  const size = sizeOf(file);
  const walBytes = sizeOf(`${file}${walSuffix}`) ?? 0;
  if (walBytes > 0 && !size) {
    throw new LabdeckError(
      `${file}${walSuffix}: ${kilobytes(walBytes)} of a class, but ${storeFileName} is ${size === 0 ? 'empty' : 'missing'}: ` +
        `put its ${storeFileName} back (from a backup or where it went), or move this folder away to start a new class; nothing was deleted`,
    );
  }
  return { file, exists: Boolean(size), walBytes };
}

/** The refusal of a new class over a WAL that a class may live in (the store itself has none). */
export function walMayHoldAClass(files: StoreFiles): LabdeckError {
  return new LabdeckError(
    `${files.file}${walSuffix}: the store has no class, but its WAL (${kilobytes(files.walBytes)}) may hold one: ` +
      `move this folder away (or put back ${storeFileName} from a backup) to start a new class; nothing was deleted`,
  );
}

/** Makes the data folder (0700) if needed: the first folder this created, for `removeCreated`. */
export function makeDataFolder(dataDir: string): string | undefined {
  const created = mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (created !== undefined) chmodSync(dataDir, 0o700); // whatever the umask
  return created;
}

/** Creates labdeck.sqlite 0600 when missing (so that its -wal and -shm are too) and makes existing store files 0600. */
export function makeStoreFilesPrivate(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const suffix of storeFileSuffixes) privateFile(`${file}${suffix}`);
}

/** Owner-only, when it exists and is ours to change. */
export function privateFile(file: string): void {
  try {
    chmodSync(file, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EPERM') throw error;
  }
}

/** A new file, owner-only, refused when something is there already (a backup never overwrites). */
export function createPrivateFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new LabdeckError(`${file} exists already: choose another place, nothing was overwritten`);
    throw error;
  }
}

/** Removes labdeck.sqlite and its -wal and -shm. */
export function removeStoreFiles(file: string): void {
  for (const suffix of storeFileSuffixes) rmSync(`${file}${suffix}`, { force: true });
}

/** Removes `files`, then the folders from dataDir up to `createdFolder` (see makeDataFolder) while they are empty. */
export function removeCreatedFolder(dataDir: string, createdFolder: string, files: readonly string[]): void {
  for (const file of files) rmSync(file, { force: true });
  for (let folder = dataDir; ; folder = dirname(folder)) {
    try {
      rmdirSync(folder);
    } catch {
      return; // not empty: something else lives there now
    }
    if (folder === createdFolder || dirname(folder) === folder) return;
  }
}

function sizeOf(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function kilobytes(bytes: number): string {
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
