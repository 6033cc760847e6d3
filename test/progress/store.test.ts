// The progress store on a real SQLite file in a temp folder: the class is created once, results keep their latest
// value and a history of changes, and everything is there again after reopening.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProgressStore, type ClassRecord } from '../../src/progress/store.ts';

const aClass: ClassRecord = { code: 'ABC234', instructorToken: 'i-token', watcherToken: 'w-token', createdAt: 1 };

function withStore(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'labdeck-store-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the class is created once and read back after reopening', () =>
  withStore((dir) => {
    const store = openProgressStore(dir);
    assert.equal(store.existingClass(), undefined);
    assert.deepEqual(
      store.classRecord(() => aClass),
      aClass,
    );
    assert.deepEqual(
      store.classRecord(() => ({ ...aClass, code: 'OTHER1' })),
      aClass,
      'a second create keeps the first class',
    );
    store.close();
    const reopened = openProgressStore(dir);
    assert.deepEqual(reopened.existingClass(), aClass);
    reopened.close();
  }));

test('results: only changes are recorded, the latest per step and every attempt in order', () =>
  withStore((dir) => {
    const store = openProgressStore(dir);
    store.addAttendee({ id: 'a1', name: '<b>Ada</b>', token: 't1', joinedAt: 10 });
    assert.equal(store.recordResult({ attendee: 'a1', step: 's1', status: 'pending', reason: 'not yet', at: 100 }), true);
    assert.equal(store.recordResult({ attendee: 'a1', step: 's1', status: 'pending', reason: 'not yet', at: 200 }), false);
    assert.equal(store.recordResult({ attendee: 'a1', step: 's1', status: 'failed', reason: 'exit 1', at: 300 }), true);
    assert.equal(store.recordResult({ attendee: 'a1', step: 's1', status: 'passed', reason: 'ok', at: 400 }), true);
    assert.equal(store.recordResult({ attendee: 'a1', step: 's1', status: 'pending', reason: 'first look', at: 450 }), false, 'pending does not overwrite a verdict');
    store.recordResult({ attendee: 'a1', step: 's2', status: 'pending', reason: '', at: 500 });
    assert.deepEqual(
      store.latestResults().map((r) => [r.step, r.status, r.at]),
      [
        ['s1', 'passed', 400],
        ['s2', 'pending', 500],
      ],
    );
    assert.deepEqual(
      store
        .history('a1')
        .filter((r) => r.step === 's1')
        .map((r) => r.status),
      ['pending', 'failed', 'passed'],
    );
    store.close();

    const reopened = openProgressStore(dir);
    assert.deepEqual(reopened.attendees(), [{ id: 'a1', name: '<b>Ada</b>', token: 't1', joinedAt: 10 }]);
    assert.equal(reopened.latestResults().length, 2);
    assert.equal(reopened.history().length, 4);
    reopened.close();
  }));

test('the command summary counts runs and failures and keeps the last one', () =>
  withStore((dir) => {
    const store = openProgressStore(dir);
    store.recordCommand('a1', { command: 'docker ps', exitCode: 0, at: 1 });
    store.recordCommand('a1', { command: 'docker srvice ls', exitCode: 1, at: 2 });
    assert.deepEqual(store.commandSummaries(), [{ attendee: 'a1', count: 2, failed: 1, lastCommand: 'docker srvice ls', lastExitCode: 1, lastAt: 2 }]);
    store.close();
  }));

test('a token is given to one attendee only', () =>
  withStore((dir) => {
    const store = openProgressStore(dir);
    store.addAttendee({ id: 'a1', name: 'Ada', token: 'same', joinedAt: 1 });
    assert.throws(() => store.addAttendee({ id: 'a2', name: 'Bob', token: 'same', joinedAt: 2 }), /UNIQUE/);
    store.close();
  }));
