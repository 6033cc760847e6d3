// `labdeck env warm N`'s progress: a bar redrawn in place on a terminal, plain lines (only when something changed)
// otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seatBar, seatLine, seatProgress } from '../../src/commands/seat-progress.ts';

test('the bar shows ready seats out of the target, and those warming', () => {
  assert.equal(seatBar({ ready: 0, warming: 4, claimed: 0, target: 4 }), `[${'░'.repeat(30)}] 0/4 ready · 4 warming`);
  assert.equal(seatBar({ ready: 2, warming: 2, claimed: 3, target: 4 }), `[${'█'.repeat(15)}${'░'.repeat(15)}] 2/4 ready · 2 warming`);
  // More ready than asked for (another process filled more): the bar is full, never longer.
  assert.equal(seatBar({ ready: 6, warming: 0, claimed: 0, target: 4 }), `[${'█'.repeat(30)}] 4/4 ready · 0 warming`);
  assert.equal(seatLine({ ready: 1, warming: 1, claimed: 0, target: 2 }), 'warm seats: 1/2 ready, 1 warming\n');
});

test('on a terminal the bar redraws itself and ends its line; elsewhere one plain line per change', () => {
  let terminal = '';
  const bar = seatProgress((text) => (terminal += text), true);
  bar.update({ ready: 0, warming: 2, claimed: 0, target: 2 });
  bar.update({ ready: 0, warming: 2, claimed: 0, target: 2 });
  bar.log('sandbox image: building');
  bar.update({ ready: 2, warming: 0, claimed: 0, target: 2 });
  bar.done();
  const first = seatBar({ ready: 0, warming: 2, claimed: 0, target: 2 });
  const last = seatBar({ ready: 2, warming: 0, claimed: 0, target: 2 });
  assert.equal(terminal, `\r${first}\x1b[K\r\x1b[Ksandbox image: building\n${first}\r${last}\x1b[K\n`);

  let plain = '';
  const lines = seatProgress((text) => (plain += text), false);
  lines.update({ ready: 0, warming: 2, claimed: 0, target: 2 });
  lines.update({ ready: 0, warming: 2, claimed: 0, target: 2 });
  lines.log('sandbox image: building');
  lines.update({ ready: 1, warming: 1, claimed: 0, target: 2 });
  lines.done();
  assert.equal(plain, 'warm seats: 0/2 ready, 2 warming\nsandbox image: building\nwarm seats: 1/2 ready, 1 warming\n');
});
