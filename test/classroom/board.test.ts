// The dashboard's pure parts: who is stuck, the state composed from the class and follow-me, and the patches that
// keep a hundred-attendee dashboard cheap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeBoard, diffBoard, slideLabel, stuckOn, type ClassSnapshot, type FollowSnapshot } from '../../src/classroom/board.ts';
import type { SlideJson } from '../../src/protocol.ts';

const minute = 60_000;

test('stuck: failing the same step for at least N minutes; the longest-failing step wins', () => {
  const now = 100 * minute;
  assert.equal(stuckOn([], now, 5 * minute), null);
  assert.equal(stuckOn([{ step: 'a', status: 'failed', since: now - 4 * minute }], now, 5 * minute), null, 'not yet');
  assert.deepEqual(stuckOn([{ step: 'a', status: 'failed', since: now - 5 * minute }], now, 5 * minute), { step: 'a', since: now - 5 * minute });
  assert.equal(
    stuckOn(
      [
        { step: 'a', status: 'passed', since: now - 50 * minute },
        { step: 'b', status: 'pending', since: 0 },
      ],
      now,
      5 * minute,
    ),
    null,
    'only failures count',
  );
  assert.equal(stuckOn([{ step: 'a', status: 'error', since: 0 }], now, 5 * minute), null, 'a check that cannot run is not the attendee being stuck');
  const results = [
    { step: 'a', status: 'failed' as const, since: now - 6 * minute },
    { step: 'b', status: 'failed' as const, since: now - 9 * minute },
  ];
  assert.equal(stuckOn(results, now, 5 * minute)?.step, 'b');
  assert.equal(stuckOn(results, now, 10 * minute), null, 'N is configurable');
});

const slides = [
  { html: '<h1>Intro &amp; <em>welcome</em></h1><p>x</p>', name: null },
  { html: '<p>no heading</p>', name: 'named' },
  { html: '<p>nothing</p>', name: null },
] as unknown as SlideJson[];

test('slide labels: the 1-based number and the first heading as text', () => {
  assert.equal(slideLabel(slides, 0), '1 · Intro & welcome');
  assert.equal(slideLabel(slides, 1), '2 · named');
  assert.equal(slideLabel(slides, 2), '3');
  assert.equal(slideLabel(slides, 9), '10', 'a slide the deck no longer has');
});

function snapshot(overrides: Partial<ClassSnapshot> = {}): ClassSnapshot {
  return {
    attendees: [
      { id: 'a1', name: '<img src=x onerror=alert(1)>', joinedAt: 1 },
      { id: 'a2', name: 'Bo', joinedAt: 2 },
    ],
    steps: [
      { id: 's1', slide: 3, text: 'Run' },
      { id: 's2', slide: 4, text: 'Scale' },
    ],
    results: [{ attendee: 'a1', step: 's1', status: 'failed', since: 0 }],
    lastCommands: new Map([['a2', { command: 'docker ps', exitCode: 1, at: 5 }]]),
    stuckAfterMs: 5 * minute,
    slideLabel: (index) => slideLabel(slides, index),
    ...overrides,
  };
}
const follow: FollowSnapshot = {
  presence: new Map([
    ['a1', { pages: 1, index: 0, following: false }],
    ['a2', { pages: 0, index: 2, following: true }],
  ]),
  paused: true,
  leaderIndex: 1,
  message: { id: 7, text: 'break' },
};

test('the board: connection, slide, last command and stuck per attendee; the follow-me state', () => {
  const board = composeBoard(snapshot(), follow, 10 * minute);
  const [a1, a2] = board.attendees;
  assert.equal(a1!.name, '<img src=x onerror=alert(1)>', 'names are data, exactly as typed');
  assert.equal(a1!.connected, true);
  assert.deepEqual(a1!.slide, { index: 0, label: '1 · Intro & welcome', following: false });
  assert.deepEqual(a1!.stuck, { step: 's1', since: 0 });
  assert.equal(a1!.lastCommand, null);
  assert.equal(a2!.connected, false, 'no page open');
  assert.deepEqual(a2!.lastCommand, { command: 'docker ps', exitCode: 1, at: 5 });
  assert.equal(a2!.stuck, null);
  assert.deepEqual(board.follow, { paused: true, leader: { index: 1, label: '2 · named' }, message: { id: 7, text: 'break' } });
});

test('diffs: only the changed rows and cells; the whole state when the steps change; nothing when nothing changed', () => {
  const now = 10 * minute;
  const before = composeBoard(snapshot(), follow, now);
  assert.equal(diffBoard(before, composeBoard(snapshot(), follow, now)), undefined);

  const moved: FollowSnapshot = { ...follow, presence: new Map([...follow.presence, ['a2', { pages: 1, index: 2, following: true }]]) };
  const passed = snapshot({
    results: [
      { attendee: 'a1', step: 's1', status: 'passed', since: now },
      { attendee: 'a2', step: 's2', status: 'failed', since: now },
    ],
  });
  const patch = diffBoard(before, composeBoard(passed, moved, now));
  assert.ok(patch && patch !== 'full');
  assert.deepEqual(
    patch.attendees.map((a) => a.id),
    ['a1', 'a2'],
    'a1 is no longer stuck, a2 connected',
  );
  assert.deepEqual(
    patch.results.map((r) => `${r.attendee}/${r.step}=${r.status}`),
    ['a1/s1=passed', 'a2/s2=failed'],
  );
  assert.equal(patch.follow, undefined, 'follow-me did not change');

  const resumed = diffBoard(before, composeBoard(snapshot(), { ...follow, paused: false }, now));
  assert.ok(resumed && resumed !== 'full');
  assert.equal(resumed.follow?.paused, false);
  assert.deepEqual(resumed.attendees, []);

  assert.equal(diffBoard(before, composeBoard(snapshot({ steps: [{ id: 's1', slide: 3, text: 'Run' }] }), follow, now)), 'full');

  const later = diffBoard(before, composeBoard(snapshot(), follow, now - 6 * minute));
  assert.ok(later && later !== 'full' && later.attendees.length === 1, 'time alone changes who is stuck');
});

test('diffs: an attendee removed makes the whole state, even when another joined at the same time', () => {
  const now = 10 * minute;
  const before = composeBoard(snapshot(), follow, now);
  const swapped = snapshot({
    attendees: [
      { id: 'a2', name: 'Bo', joinedAt: 2 },
      { id: 'a3', name: 'Cy', joinedAt: 3 },
    ],
    results: [{ attendee: 'a3', step: 's1', status: 'failed', since: 0 }],
  });
  assert.equal(diffBoard(before, composeBoard(swapped, follow, now)), 'full');
  const withoutResult = snapshot({ results: [{ attendee: 'a2', step: 's1', status: 'failed', since: 0 }] });
  assert.equal(diffBoard(before, composeBoard(withoutResult, follow, now)), 'full', 'a result cell gone');
});

test('names that look the same are flagged on every row that has them; names stored before cleaning show clean', () => {
  const now = 10 * minute;
  const ada = { id: 'a1', name: 'Ada', joinedAt: 1 };
  const bo = { id: 'a2', name: 'Bo', joinedAt: 2 };
  const before = composeBoard(snapshot({ attendees: [ada, bo] }), follow, now);
  assert.deepEqual(
    before.attendees.map((a) => a.sameNameCount),
    [1, 1],
  );

  const twins = snapshot({ attendees: [ada, bo, { id: 'a3', name: ' ADA\u200B', joinedAt: 3 }, { id: 'a4', name: '\x1b[31mEve\u202E', joinedAt: 4 }] });
  const board = composeBoard(twins, follow, now);
  assert.deepEqual(
    board.attendees.map((a) => [a.id, a.name, a.sameNameCount]),
    [
      ['a1', 'Ada', 2],
      ['a2', 'Bo', 1],
      ['a3', 'ADA', 2],
      ['a4', 'Eve', 1],
    ],
  );
  const patch = diffBoard(before, board);
  assert.ok(patch && patch !== 'full');
  assert.deepEqual(
    patch.attendees.map((a) => a.id),
    ['a1', 'a3', 'a4'],
    "the first Ada's row changes too: it is flagged now",
  );
});

test("an attendee's environment note (sandbox recreated, class full) is on their row, and a change of it is a patch", () => {
  const follow: FollowSnapshot = { presence: new Map(), paused: false, leaderIndex: null, message: null };
  const before = composeBoard(snapshot(), follow, 0);
  assert.equal(before.attendees[1]?.environment, undefined, 'no note: nothing said');
  const note = { text: 'sandbox recreated at 10:12 (its machine failed): state lost', at: 5 };
  const after = composeBoard(snapshot({ environmentNotes: new Map([['a2', note]]) }), follow, 0);
  assert.deepEqual(after.attendees[1]?.environment, note);
  assert.equal(after.attendees[0]?.environment, undefined);
  assert.deepEqual(diffBoard(before, after), { attendees: [after.attendees[1]], results: [] });
});

test('warm seats: on the board (null for a class without), patched when their counts change', () => {
  const now = 10 * minute;
  assert.equal(composeBoard(snapshot(), follow, now).seats, null);
  const seats = { ready: 3, warming: 1, claimed: 4, target: 4 };
  const before = composeBoard(snapshot({ seats }), follow, now);
  assert.deepEqual(before.seats, seats);
  assert.equal(diffBoard(before, composeBoard(snapshot({ seats: { ...seats } }), follow, now)), undefined);
  const claimed = { ready: 2, warming: 2, claimed: 5, target: 4 };
  assert.deepEqual(diffBoard(before, composeBoard(snapshot({ seats: claimed }), follow, now)), { attendees: [], results: [], seats: claimed });
});
