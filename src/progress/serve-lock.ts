// One server per data folder: two servers on one class would each admit attendees the other refuses.
//
// The lock is SQLite's own exclusive lock (POSIX fcntl) on a file of its own, `serve.lock`, held for the server's
// lifetime: the kernel releases it when the process ends, however it ends (SIGKILL included), so a crashed server never
// blocks the next one, and there is no stale-pid guessing (a pid reused by another program) nor a race between two
// servers taking over a stale lock file. Not `locking_mode=EXCLUSIVE` on the store itself: readers (`labdeck progress`,
// `labdeck backup`) would then get "database is locked" for as long as the class runs. `serve.pid` only names the
// holder in the refusal; the lock does not depend on it.
import type Database from 'better-sqlite3';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabdeckError } from '../errors.ts';
import { privateFile } from './store-files.ts';
import { sqlite } from './sqlite.ts';

export const serveLockFileName = 'serve.lock';
export const servePidFileName = 'serve.pid';

export interface ServeLock {
  /** The files the lock lives in (removed with a data folder this start created). */
  readonly files: readonly string[];
  release(): void;
}

/** Takes the data folder's lock, or says which server holds it. Never waits: a second server is an error at once. */
export function takeServeLock(dataDir: string): ServeLock {
  const lockFile = join(dataDir, serveLockFileName);
  const pidFile = join(dataDir, servePidFileName);
  let db: Database.Database | undefined;
  try {
    db = new (sqlite())(lockFile, { timeout: 0 });
    db.pragma('journal_mode = MEMORY'); // no -journal file beside the lock
    db.pragma('locking_mode = EXCLUSIVE'); // a lock once taken is kept until close
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (error) {
    db?.close();
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') {
      throw new LabdeckError(`${dataDir} is in use by labdeck serve (pid ${holderPid(pidFile) ?? 'unknown'}): stop it first`);
    }
    throw error;
  }
  privateFile(lockFile);
  writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 });
  const held = db;
  return {
    files: [lockFile, pidFile],
    release() {
      rmSync(pidFile, { force: true });
      held.close();
    },
  };
}

function holderPid(pidFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
    return Number.isInteger(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}
