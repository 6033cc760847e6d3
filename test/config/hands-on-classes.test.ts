import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultHandsOnClasses } from '../../src/protocol.ts';
import { defaultDeckOptions } from '../../src/deck/index.ts';
import { parseWorkshop } from '../../src/config/workshop.ts';

// The client (terminals.ts) reads the same constant from protocol.ts: one list, so they cannot drift apart.
test('one list of default hands-on classes, for the deck engine, the workshop config and the page', { timeout: 5000 }, () => {
  assert.deepEqual(defaultHandsOnClasses, ['exercise', 'lab']);
  assert.equal(defaultDeckOptions.handsOnClasses, defaultHandsOnClasses);
  assert.equal(parseWorkshop('title: T\ncontent: []\n', '/w/workshop.yml').handsOn, defaultHandsOnClasses);
});
