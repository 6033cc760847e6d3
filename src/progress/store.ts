// The classroom's memory: the class itself (code, instructor and watcher tokens), its attendees and their personal
// tokens, every step result with its history of attempts, and a summary of the commands each attendee ran. The only
// importer of better-sqlite3.
//
// Durability: WAL with synchronous=FULL. WAL alone already survives a killed server process (SIGKILL); FULL also
// survives a power cut or kernel crash, at the cost of one fsync per commit. A class writes a few rows per minute per
// attendee (joins, step changes, commands), so that cost is invisible, while losing a join would lock an attendee out
// (their browser holds a token the server no longer knows).
//
// Checkpoints: with WAL, a class lives in labdeck.sqlite-wal until a checkpoint copies it into labdeck.sqlite; SQLite
// does that by itself only past 1000 pages (4 MB), so a class could live in the WAL alone for a whole day, and a copy
// of labdeck.sqlite was no backup. A server checkpoints every minute, PASSIVE: measured on a class of 30 attendees
// (6000 writes, a 4 MB WAL) it takes 1.5 ms and never waits; TRUNCATE took 4.9 ms but, while a reader held a read
// transaction (`labdeck progress` reading), blocked for the whole busy timeout (5 s): the server's event loop, every
// terminal with it. Closing uses
// TRUNCATE (waiting is fine then, and the WAL is emptied even when a reader is attached). `labdeck backup` takes a
// consistent copy at any time (SQLite's online backup).
import type Database from 'better-sqlite3';
import type { StepStatus } from '../protocol.ts';
import { LabdeckError } from '../errors.ts';
import {
  createPrivateFile,
  inspectStoreFiles,
  makeDataFolder,
  makeStoreFilesPrivate,
  removeCreatedFolder,
  removeStoreFiles,
  walMayHoldAClass,
  type StoreFiles,
} from './store-files.ts';
import { takeServeLock, type ServeLock } from './serve-lock.ts';
import { sqlite } from './sqlite.ts';

export { storeFileName } from './store-files.ts';

/** How often a server copies the WAL into labdeck.sqlite: at most this much of a class is in the WAL only. */
export const defaultCheckpointEveryMs = 60_000;

export interface StoreOptions {
  /** Tests make it short. */
  readonly checkpointEveryMs?: number;
}

export interface ClassRecord {
  /** Short code people type on the join page. */
  readonly code: string;
  readonly instructorToken: string;
  readonly watcherToken: string;
  readonly createdAt: number;
}

export interface AttendeeRecord {
  readonly id: string;
  readonly name: string;
  readonly token: string;
  readonly joinedAt: number;
}

export interface StepRecord {
  readonly attendee: string;
  readonly step: string;
  readonly status: StepStatus;
  readonly reason: string;
  /** When the check said so (ms since the epoch). */
  readonly at: number;
}

/** A latest result, with since when the step has had that status (a new reason alone does not reset it). */
export interface LatestStepRecord extends StepRecord {
  readonly since: number;
}

export interface CommandSummary {
  readonly attendee: string;
  readonly count: number;
  readonly failed: number;
  readonly lastCommand: string | null;
  readonly lastExitCode: number | null;
  readonly lastAt: number | null;
}

export interface CommandRun {
  readonly command: string;
  readonly exitCode: number | undefined;
  readonly at: number;
}

export interface ProgressStore {
  /** The class, created once (by `create`) and the same after every restart. */
  classRecord(create: () => ClassRecord): ClassRecord;
  /** The class, when one was created (exports read it without creating one). */
  existingClass(): ClassRecord | undefined;
  addAttendee(attendee: AttendeeRecord): void;
  /** Forgets an attendee the instructor removed from the class: their token, results, attempts and commands. */
  removeAttendee(attendee: string): boolean;
  attendees(): readonly AttendeeRecord[];
  /** Records a result when it tells something new about the attendee's step (see `pending` below); true when it did. */
  recordResult(result: StepRecord): boolean;
  /** The latest result per attendee and step. */
  latestResults(): readonly LatestStepRecord[];
  /** Every attempt (each change of status or reason), oldest first. */
  history(attendee?: string): readonly StepRecord[];
  recordCommand(attendee: string, run: CommandRun): void;
  commandSummaries(): readonly CommandSummary[];
  /** A consistent copy of the store into a new file (0600), taken while the server keeps writing. */
  backup(file: string): Promise<void>;
  close(): void;
  /** A server that failed to start: closes, and removes the store and data folder when this start created them. */
  abandon(): void;
}

const schema = `
CREATE TABLE IF NOT EXISTS class (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  code TEXT NOT NULL, instructor_token TEXT NOT NULL, watcher_token TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS attendees (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, token TEXT NOT NULL UNIQUE, joined_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS step_results (
  attendee TEXT NOT NULL, step TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL,
  since INTEGER, PRIMARY KEY (attendee, step));
CREATE TABLE IF NOT EXISTS attempts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  attendee TEXT NOT NULL, step TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_by_attendee ON attempts (attendee, seq);
CREATE TABLE IF NOT EXISTS command_summary (
  attendee TEXT PRIMARY KEY, count INTEGER NOT NULL, failed INTEGER NOT NULL,
  last_command TEXT, last_exit_code INTEGER, last_at INTEGER);
`;

/**
 * The server's store: takes the data folder's lock (one server per folder), refuses leftovers a class may live in,
 * creates the store (private) when there is none, and checkpoints regularly.
 */
export function openProgressStore(dataDir: string, options: StoreOptions = {}): ProgressStore {
  const createdFolder = makeDataFolder(dataDir);
  const lock = takeServeLock(dataDir);
  let files: StoreFiles;
  try {
    files = inspectStoreFiles(dataDir);
    makeStoreFilesPrivate(files.file);
  } catch (error) {
    lock.release();
    throw error;
  }
  return openStore(files, { dataDir, createdFolder, lock, checkpointEveryMs: options.checkpointEveryMs ?? defaultCheckpointEveryMs });
}

/** A reader's store (`labdeck progress`, `backup`, `env`): no lock, works beside a running server; undefined when there is none. */
export function openExistingStore(dataDir: string): ProgressStore | undefined {
  const files = inspectStoreFiles(dataDir);
  return files.exists ? openStore(files, undefined) : undefined;
}

interface Server {
  readonly dataDir: string;
  readonly createdFolder: string | undefined;
  readonly lock: ServeLock;
  readonly checkpointEveryMs: number;
}

function openStore(files: StoreFiles, server: Server | undefined): ProgressStore {
  let db: Database.Database | undefined;
  try {
    db = new (sqlite())(files.file, { fileMustExist: true });
    return storeOn(db, files, server);
  } catch (error) {
    db?.close();
    server?.lock.release();
    throw storeError(files.file, error);
  }
}

/** SQLite's errors at open, as one clear line naming the file. */
function storeError(file: string, error: unknown): unknown {
  if (!(error instanceof sqlite().SqliteError)) return error;
  const notAStore = ['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_ERROR', 'SQLITE_FORMAT'].includes(error.code);
  return new LabdeckError(
    notAStore ? `${file}: not a labdeck class store (${error.message}): move it away or use another --data` : `${file}: cannot open the class store (${error.message})`,
  );
}

function storeOn(db: Database.Database, files: StoreFiles, server: Server | undefined): ProgressStore {
  // Before anything writes: another program's database is not filled with labdeck's tables (nor switched to WAL).
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  if (tables.length > 0 && !tables.includes('class')) {
    throw new LabdeckError(`${files.file}: not a labdeck class store (its tables are not labdeck's): move it away or use another --data`);
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(schema);
  // Stores written before `since` existed: their latest results count from their last change.
  if (!(db.pragma('table_info(step_results)') as { name: string }[]).some((column) => column.name === 'since')) {
    db.exec('ALTER TABLE step_results ADD COLUMN since INTEGER; UPDATE step_results SET since = at;');
  }

  const selectClass = db.prepare('SELECT code, instructor_token AS instructorToken, watcher_token AS watcherToken, created_at AS createdAt FROM class WHERE id = 1');
  const insertClass = db.prepare(
    'INSERT INTO class (id, code, instructor_token, watcher_token, created_at) VALUES (1, @code, @instructorToken, @watcherToken, @createdAt)',
  );
  const insertAttendee = db.prepare('INSERT INTO attendees (id, name, token, joined_at) VALUES (@id, @name, @token, @joinedAt)');
  const selectAttendees = db.prepare('SELECT id, name, token, joined_at AS joinedAt FROM attendees ORDER BY joined_at, id');
  const selectLatest = db.prepare('SELECT status, reason FROM step_results WHERE attendee = ? AND step = ?');
  const upsertLatest = db.prepare(`INSERT INTO step_results (attendee, step, status, reason, at, since) VALUES (@attendee, @step, @status, @reason, @at, @at)
    ON CONFLICT (attendee, step) DO UPDATE SET status = excluded.status, reason = excluded.reason, at = excluded.at,
      since = CASE WHEN step_results.status = excluded.status THEN step_results.since ELSE excluded.at END`);
  const insertAttempt = db.prepare('INSERT INTO attempts (attendee, step, status, reason, at) VALUES (@attendee, @step, @status, @reason, @at)');
  const selectAllLatest = db.prepare('SELECT attendee, step, status, reason, at, COALESCE(since, at) AS since FROM step_results ORDER BY attendee, step');
  const selectHistory = db.prepare('SELECT attendee, step, status, reason, at FROM attempts ORDER BY seq');
  const selectHistoryOf = db.prepare('SELECT attendee, step, status, reason, at FROM attempts WHERE attendee = ? ORDER BY seq');
  const upsertCommand = db.prepare(`INSERT INTO command_summary (attendee, count, failed, last_command, last_exit_code, last_at)
    VALUES (@attendee, 1, @failed, @command, @exitCode, @at)
    ON CONFLICT (attendee) DO UPDATE SET count = count + 1, failed = failed + excluded.failed,
      last_command = excluded.last_command, last_exit_code = excluded.last_exit_code, last_at = excluded.last_at`);
  const selectCommands = db.prepare(
    'SELECT attendee, count, failed, last_command AS lastCommand, last_exit_code AS lastExitCode, last_at AS lastAt FROM command_summary ORDER BY attendee',
  );
  // PASSIVE: never waits for a reader (see the top of this file); what a reader still uses is copied next time, and a
  // checkpoint that cannot run now (another one running: SQLITE_BUSY) is retried next time rather than end the class
  // (or, at close, left to the next open, which reads the WAL).
  const checkpoint = (mode: 'PASSIVE' | 'TRUNCATE'): void => {
    try {
      db.pragma(`wal_checkpoint(${mode})`);
    } catch (error) {
      if (!(error instanceof sqlite().SqliteError)) throw error;
    }
  };
  const checkpoints = server ? setInterval(() => checkpoint('PASSIVE'), server.checkpointEveryMs).unref() : undefined;

  const recordResult = db.transaction((result: StepRecord): boolean => {
    const previous = selectLatest.get(result.attendee, result.step) as { status: string; reason: string } | undefined;
    if (previous && previous.status === result.status && previous.reason === result.reason) return false;
    // `pending` means "cannot tell yet" (a restarted server's first look, a converging service): it adds nothing to
    // a verdict already known, and must not make a restart look like lost progress.
    if (previous && previous.status !== 'pending' && result.status === 'pending') return false;
    upsertLatest.run(result);
    insertAttempt.run(result);
    return true;
  });
  const removeAttendee = db.transaction((attendee: string): boolean => {
    for (const table of ['step_results', 'attempts', 'command_summary']) db.prepare(`DELETE FROM ${table} WHERE attendee = ?`).run(attendee);
    return db.prepare('DELETE FROM attendees WHERE id = ?').run(attendee).changes > 0;
  });
  const classRecord = db.transaction((create: () => ClassRecord): ClassRecord => {
    const existing = selectClass.get() as ClassRecord | undefined;
    if (existing) return existing;
    // No class, yet the WAL had something at open: SQLite may have passed over a class it could not use, and would
    // overwrite it with the new class's writes.
    if (files.walBytes > 0) throw walMayHoldAClass(files);
    const created = create();
    insertClass.run(created);
    return created;
  });

  return {
    classRecord: (create) => classRecord.immediate(create),
    existingClass: () => selectClass.get() as ClassRecord | undefined,
    addAttendee: (attendee) => void insertAttendee.run(attendee),
    removeAttendee: (attendee) => removeAttendee.immediate(attendee),
    attendees: () => selectAttendees.all() as AttendeeRecord[],
    recordResult: (result) => recordResult.immediate(result),
    latestResults: () => selectAllLatest.all() as LatestStepRecord[],
    history: (attendee) => (attendee === undefined ? selectHistory.all() : selectHistoryOf.all(attendee)) as StepRecord[],
    recordCommand(attendee, run) {
      upsertCommand.run({ attendee, command: run.command, exitCode: run.exitCode ?? null, at: run.at, failed: run.exitCode ? 1 : 0 });
    },
    commandSummaries: () => selectCommands.all() as CommandSummary[],
    async backup(file) {
      createPrivateFile(file); // 0600 before SQLite writes into it, and never over an existing file
      try {
        await db.backup(file);
      } catch (error) {
        removeStoreFiles(file);
        throw error;
      }
    },
    close() {
      if (!db.open) return;
      clearInterval(checkpoints);
      if (server) checkpoint('TRUNCATE');
      db.close();
      server?.lock.release();
    },
    abandon() {
      if (!db.open) return;
      clearInterval(checkpoints);
      db.close();
      if (!server) return;
      if (!files.exists) removeStoreFiles(files.file);
      server.lock.release();
      if (server.createdFolder !== undefined) removeCreatedFolder(server.dataDir, server.createdFolder, server.lock.files);
    },
  };
}
