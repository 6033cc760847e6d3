// serve's start: what it made is undone newest first when a later part fails, each part once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DisposableStore } from '../../src/commands/disposable-store.ts';

test('dispose() undoes in reverse order of add(), once', { timeout: 5_000 }, () => {
  const undone: string[] = [];
  const store = new DisposableStore();
  const first = store.add({ dispose: () => undone.push('deck') });
  store.add({ dispose: () => undone.push('checks') });
  store.add({ dispose: () => undone.push('class') });
  assert.equal(typeof first.dispose, 'function', 'add() hands back what it was given');
  store.dispose();
  assert.deepEqual(undone, ['class', 'checks', 'deck']);
  store.dispose();
  assert.deepEqual(undone, ['class', 'checks', 'deck'], 'a second dispose() does nothing');
});

test('a part that fails to dispose does not keep the others: the first failure is thrown after all ran', { timeout: 5_000 }, () => {
  const undone: string[] = [];
  const store = new DisposableStore();
  store.add({ dispose: () => undone.push('deck') });
  store.add({
    dispose: () => {
      throw new Error('checks would not stop');
    },
  });
  store.add({ dispose: () => undone.push('class') });
  assert.throws(() => store.dispose(), /checks would not stop/);
  assert.deepEqual(undone, ['class', 'deck']);
});
