import { test } from 'node:test';
import assert from 'node:assert/strict';
import { elementAt } from '../src/errors.ts';

test('elementAt() gives the element the caller proved is there, and names the index when the proof is wrong', { timeout: 5_000 }, () => {
  assert.equal(elementAt(['a', 'b'], 1), 'b');
  assert.equal(elementAt('xy', 0), 'x');
  assert.equal(elementAt(/(a)(b)?/.exec('a') ?? [], 1), 'a');
  assert.throws(() => elementAt(['a'], 1), { name: 'RangeError', message: 'expected an element at index 1 (of 1)' });
  assert.throws(() => elementAt(/(a)(b)?/.exec('a') ?? [], 2), { message: 'expected an element at index 2 (of 3)' }, 'a group that took no part');
});
