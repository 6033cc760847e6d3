// The class never vanishes: labdeck.sqlite alone is a usable backup after a checkpoint, leftovers of a class are
// never replaced by a new one, a garbage store is a clear error, the store is private to its owner, one server owns
// a data folder at a time (readers still read), and a start that failed leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openExistingStore, openProgressStore, storeFileName, type ClassRecord, type ProgressStore } from '../../src/progress/store.ts';
import { LabdeckError } from '../../src/errors.ts';
import Database from 'better-sqlite3';

const aClass: ClassRecord = { code: 'ABC234', instructorToken: 'i-token', watcherToken: 'w-token', createdAt: 1 };

function withFolder(body: (dir: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labdeck-store-safety-'));
    try {
      await body(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** A class with attendees, as a running server holds it (still open: nothing checkpointed by a close). */
function classWithAttendees(dir: string, options?: Parameters<typeof openProgressStore>[1]): ProgressStore {
  const store = openProgressStore(dir, options);
  store.classRecord(() => aClass);
  for (let i = 0; i < 20; i++) store.addAttendee({ id: `a${i}`, name: `Attendee ${i}`, token: `t${i}`, joinedAt: i });
  return store;
}

/** What a copy of labdeck.sqlite alone holds (the copy is opened in a folder of its own). */
function copyOfStoreFile(dir: string, into: string): { code: string | undefined; attendees: number } {
  rmSync(into, { recursive: true, force: true });
  const copy = mkdtempSync(into);
  copyFileSync(join(dir, storeFileName), join(copy, storeFileName));
  const store = openExistingStore(copy)!;
  try {
    return { code: store.existingClass()?.code, attendees: store.attendees().length };
  } finally {
    store.close();
  }
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const mode = (file: string): string => (statSync(file).mode & 0o777).toString(8);

test(
  'after a checkpoint interval, labdeck.sqlite alone holds the class and its attendees',
  { timeout: 10_000 },
  withFolder(async (dir) => {
    const store = classWithAttendees(dir, { checkpointEveryMs: 50 });
    try {
      const deadline = Date.now() + 5_000;
      let seen = copyOfStoreFile(dir, join(dir, 'copy-'));
      while ((seen.code !== aClass.code || seen.attendees !== 20) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        seen = copyOfStoreFile(dir, join(dir, 'copy-'));
      }
      assert.deepEqual(seen, { code: aClass.code, attendees: 20 }, 'a copy of labdeck.sqlite alone, 5 s after the writes');
    } finally {
      store.close();
    }
  }),
);

test(
  'closing the server checkpoints even while a reader is attached: labdeck.sqlite alone holds the class',
  { timeout: 10_000 },
  withFolder((dir) => {
    const store = classWithAttendees(dir);
    const reader = openExistingStore(dir)!;
    try {
      assert.equal(reader.attendees().length, 20);
      store.close();
      assert.deepEqual(copyOfStoreFile(dir, join(dir, 'copy-')), { code: aClass.code, attendees: 20 });
    } finally {
      reader.close();
    }
  }),
);

/** The review's case: a server killed mid-class leaves its class in the WAL; labdeck.sqlite is then emptied. */
function emptiedStoreBesideItsWal(dir: string): string {
  const source = join(dir, 'source');
  const store = classWithAttendees(source);
  const copy = mkdtempSync(join(dir, 'data-'));
  copyFileSync(join(source, `${storeFileName}-wal`), join(copy, `${storeFileName}-wal`));
  store.close();
  writeFileSync(join(copy, storeFileName), '');
  return copy;
}

test(
  'a 0-byte labdeck.sqlite beside the WAL of a real class: no new class, the WAL untouched, the file named',
  { timeout: 10_000 },
  withFolder((dir) => {
    const data = emptiedStoreBesideItsWal(dir);
    const wal = join(data, `${storeFileName}-wal`);
    const before = sha(wal);
    assert.ok(statSync(wal).size > 0);
    for (const open of [() => openProgressStore(data), () => openExistingStore(data)]) {
      assert.throws(open, (error: Error) => {
        assert.ok(error instanceof LabdeckError, `a LabdeckError, not ${error.name}: ${error.message}`);
        assert.match(error.message, new RegExp(`^${wal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
        assert.match(error.message, /labdeck\.sqlite is empty/);
        assert.match(error.message, /nothing was deleted/);
        return true;
      });
    }
    assert.equal(sha(wal), before, 'the WAL is untouched');
    assert.equal(statSync(join(data, storeFileName)).size, 0);
  }),
);

test(
  'a WAL without its labdeck.sqlite: refused, the WAL untouched',
  { timeout: 10_000 },
  withFolder((dir) => {
    const data = emptiedStoreBesideItsWal(dir);
    rmSync(join(data, storeFileName));
    const wal = join(data, `${storeFileName}-wal`);
    const before = sha(wal);
    assert.throws(
      () => openProgressStore(data),
      (error: Error) => error instanceof LabdeckError && /labdeck\.sqlite-wal: .*labdeck\.sqlite is missing/.test(error.message),
    );
    assert.equal(sha(wal), before);
    assert.equal(existsSync(join(data, storeFileName)), false, 'no new store beside it');
  }),
);

test(
  'a store with no class but a WAL that holds something: no class is created over it',
  { timeout: 10_000 },
  withFolder((dir) => {
    const source = join(dir, 'source');
    const store = openProgressStore(source);
    store.addAttendee({ id: 'a1', name: 'Ada', token: 't1', joinedAt: 1 });
    const data = mkdtempSync(join(dir, 'data-'));
    for (const suffix of ['', '-wal']) copyFileSync(join(source, `${storeFileName}${suffix}`), join(data, `${storeFileName}${suffix}`));
    store.close();
    const reopened = openProgressStore(data);
    try {
      assert.throws(
        () => reopened.classRecord(() => aClass),
        (error: Error) =>
          error instanceof LabdeckError && /labdeck\.sqlite-wal: the store has no class, but its WAL \(\d+ KB\) may hold one: .*nothing was deleted$/.test(error.message),
      );
      assert.equal(reopened.existingClass(), undefined);
    } finally {
      reopened.close();
    }
  }),
);

test(
  'a garbage labdeck.sqlite is a clear error naming the file, and is left as it was',
  withFolder((dir) => {
    const file = join(dir, storeFileName);
    writeFileSync(file, randomBytes(8192));
    const before = sha(file);
    for (const open of [() => openProgressStore(dir), () => openExistingStore(dir)]) {
      assert.throws(open, (error: Error) => {
        assert.ok(error instanceof LabdeckError, `a LabdeckError, not ${error.name}: ${error.message}`);
        assert.equal(error.message, `${file}: not a labdeck class store (file is not a database): move it away or use another --data`);
        return true;
      });
    }
    assert.equal(sha(file), before);
    // The folder is not left locked by the failed open.
    rmSync(file);
    openProgressStore(dir).close();
  }),
);

test(
  "another program's SQLite database is refused, not filled with labdeck's tables",
  withFolder((dir) => {
    const file = join(dir, storeFileName);
    const other = new Database(file);
    other.exec('CREATE TABLE notes (body TEXT)');
    other.close();
    assert.throws(
      () => openProgressStore(dir),
      (error: Error) =>
        error instanceof LabdeckError && error.message === `${file}: not a labdeck class store (its tables are not labdeck's): move it away or use another --data`,
    );
    const after = new Database(file, { readonly: true });
    assert.deepEqual(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all(), [{ name: 'notes' }]);
    after.close();
  }),
);

test(
  'the data folder is 0700 and the store files 0600 (they hold every token)',
  withFolder((dir) => {
    const data = join(dir, 'nested', 'data');
    const store = classWithAttendees(data);
    try {
      assert.equal(mode(data), '700');
      for (const suffix of ['', '-wal', '-shm']) assert.equal(mode(join(data, `${storeFileName}${suffix}`)), '600', `${storeFileName}${suffix}`);
    } finally {
      store.close();
    }
    // A store made before this rule is made private when a server opens it.
    chmodSync(join(data, storeFileName), 0o644);
    openProgressStore(data).close();
    assert.equal(mode(join(data, storeFileName)), '600');
  }),
);

test(
  'one server per data folder: a second is refused with the pid; readers still read; free again after close',
  withFolder((dir) => {
    const store = classWithAttendees(dir);
    try {
      assert.throws(
        () => openProgressStore(dir),
        (error: Error) => {
          assert.ok(error instanceof LabdeckError, `a LabdeckError, not ${error.name}: ${error.message}`);
          assert.equal(error.message, `${dir} is in use by labdeck serve (pid ${process.pid}): stop it first`);
          return true;
        },
      );
      const reader = openExistingStore(dir)!;
      assert.equal(reader.existingClass()?.code, aClass.code);
      assert.equal(reader.attendees().length, 20);
      reader.close();
      store.addAttendee({ id: 'late', name: 'Late', token: 'tl', joinedAt: 99 });
    } finally {
      store.close();
    }
    const again = openProgressStore(dir);
    assert.equal(again.attendees().length, 21);
    again.close();
  }),
);

test(
  'a store this start created is removed when the start is abandoned; an existing class is kept',
  withFolder((dir) => {
    const data = join(dir, 'new-data');
    const fresh = openProgressStore(data);
    fresh.classRecord(() => aClass);
    fresh.abandon();
    assert.equal(existsSync(data), false, 'the data folder this start made is gone');

    const kept = openProgressStore(data);
    kept.classRecord(() => aClass);
    kept.close();
    const restarted = openProgressStore(data);
    restarted.abandon();
    const reader = openExistingStore(data);
    assert.equal(reader?.existingClass()?.code, aClass.code, 'a class that was there before stays');
    reader?.close();
  }),
);

test(
  'readers find no store in an empty folder',
  withFolder((dir) => {
    assert.equal(openExistingStore(dir), undefined);
    assert.equal(existsSync(join(dir, storeFileName)), false, 'a reader creates nothing');
  }),
);

test(
  'backup: a copy of a class taken while the server holds the store opens with everything',
  { timeout: 10_000 },
  withFolder(async (dir) => {
    const store = classWithAttendees(join(dir, 'data'));
    try {
      const reader = openExistingStore(join(dir, 'data'))!;
      await reader.backup(join(dir, 'backup.sqlite'));
      reader.close();
    } finally {
      store.close();
    }
    const restored = mkdtempSync(join(dir, 'restored-'));
    copyFileSync(join(dir, 'backup.sqlite'), join(restored, storeFileName));
    const opened = openExistingStore(restored)!;
    assert.equal(opened.existingClass()?.code, aClass.code);
    assert.equal(opened.attendees().length, 20);
    opened.close();
  }),
);
