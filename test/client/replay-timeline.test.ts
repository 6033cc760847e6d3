// The replay player's pure parts: an asciicast v2 file read as a Timeline (with file:line errors), each terminal's
// track, the markers (commands green or red by exit code), the slide at a moment, the time as people read it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAsciicast } from '../../src/client/asciicast.ts';
import {
  writeSlices,
  countUpTo,
  formatDate,
  formatTime,
  markerNear,
  markersAt,
  markersOf,
  neighbourMarker,
  outputChars,
  seekPlan,
  slideAt,
  stepsBetween,
  slidesOf,
  tracksOf,
} from '../../src/client/replay-timeline.ts';
import type { Timeline } from '../../src/protocol.ts';

test('an asciicast v2 file becomes a Timeline of one terminal: output, input, resizes; markers and unknown codes skipped', { timeout: 5000 }, () => {
  const cast = [
    '{"version": 2, "width": 100, "height": 30, "timestamp": 1700000000}',
    '[0.5, "o", "hello\\r\\n"]',
    '[0.75, "i", "ls\\r"]',
    '[1.25, "r", "120x40"]',
    '[1.5, "m", "chapter"]',
    '[2, "o", "bye"]',
    '',
  ].join('\n');
  const timeline = parseAsciicast(cast, 'demo.cast');
  assert.deepEqual(timeline.terminals, [{ name: 'recording', cols: 100, rows: 30 }]);
  assert.equal(timeline.startedAt, '2023-11-14T22:13:20.000Z');
  assert.equal(timeline.durationMs, 2000);
  assert.equal(timeline.inputRecorded, true);
  assert.deepEqual(
    timeline.events.map((event) => [event.t, event.kind]),
    [
      [500, 'output'],
      [750, 'input'],
      [1250, 'resize'],
      [2000, 'output'],
    ],
  );
});

test('a file that is not asciicast v2 is refused at its file:line', { timeout: 5000 }, () => {
  assert.throws(() => parseAsciicast('{"version": 1}\n', 'old.cast'), /^Error: old\.cast:1: not an asciicast v2 file/);
  assert.throws(() => parseAsciicast('{"version": 2}\n[0.1, "o", "a"]\nnot json\n', 'bad.cast'), /^Error: bad\.cast:3: not a line of JSON/);
  assert.throws(() => parseAsciicast('{"version": 2}\n[0.1, "o"]\n', 'short.cast'), /^Error: short\.cast:2: an event is \[seconds/);
});

const timeline: Timeline = {
  attendee: 'alice',
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 10_000,
  inputRecorded: false,
  terminals: [
    { name: 'shell', cols: 80, rows: 24 },
    { name: 'logs', cols: 100, rows: 20 },
  ],
  events: [
    { t: 0, kind: 'slide', slide: 0, name: 'intro' },
    { t: 100, kind: 'output', terminal: 'shell', data: '$ ' },
    { t: 1000, kind: 'command', terminal: 'shell', command: 'docker ps', exitCode: 0 },
    { t: 2000, kind: 'resize', terminal: 'shell', cols: 120, rows: 30 },
    { t: 3000, kind: 'command', terminal: 'shell', command: 'false', exitCode: 1 },
    { t: 3500, kind: 'command', terminal: 'logs', command: 'tail -f', exitCode: null },
    { t: 4000, kind: 'slide', slide: 5 },
    { t: 5000, kind: 'check', step: 's1', from: 'failed', to: 'passed', reason: 'service running' },
    { t: 6000, kind: 'check', step: 's2', from: 'pending', to: 'failed', reason: 'no service' },
    { t: 7000, kind: 'output', terminal: 'logs', data: 'log line' },
  ],
};

test('tracks per terminal, with their sizes and sorted times; countUpTo finds what a moment has played', { timeout: 5000 }, () => {
  const [shell, logs] = tracksOf(timeline);
  assert.equal(shell?.name, 'shell');
  assert.equal(shell?.events.length, 2);
  assert.deepEqual([...(shell?.times ?? [])], [100, 2000]);
  assert.deepEqual(logs && { cols: logs.cols, rows: logs.rows, count: logs.events.length }, { cols: 100, rows: 20, count: 1 });
  const times = Float64Array.from([100, 2000, 2000, 5000]);
  assert.deepEqual(
    [0, 100, 1999, 2000, 9999].map((t) => countUpTo(times, t)),
    [0, 1, 1, 3, 4],
  );
});

test('markers: commands ok, failed or neutral by exit code; checks ok when passed; slides with their names', { timeout: 5000 }, () => {
  assert.deepEqual(
    markersOf(timeline).map((marker) => `${marker.t} ${marker.kind} ${marker.tone} ${marker.label}`),
    [
      '0 slide neutral Slide 1 (intro)',
      '1000 command ok Command docker ps (exit code 0)',
      '3000 command failed Command false (exit code 1)',
      '3500 command neutral Command tail -f (exit code unknown)',
      '4000 slide neutral Slide 6',
      '5000 check ok Check s1: failed → passed: service running',
      '6000 check failed Check s2: pending → failed: no service',
    ],
  );
});

test('markers by position: the nearest within a distance (a click on the drawing), those at a moment, the next and previous', { timeout: 5000 }, () => {
  const markers = markersOf(timeline);
  assert.equal(markerNear(markers, 3200, 300)?.label, 'Command false (exit code 1)');
  assert.equal(markerNear(markers, 3300, 300)?.label, 'Command tail -f (exit code unknown)', 'the nearer of two');
  assert.equal(markerNear(markers, 2500, 300), undefined, 'none within 300 ms');
  assert.equal(markerNear([], 0, 300), undefined);
  assert.deepEqual(
    markersAt(markers, 5000).map((marker) => marker.label),
    ['Check s1: failed → passed: service running'],
  );
  assert.deepEqual(markersAt(markers, 5001), []);
  assert.equal(neighbourMarker(markers, 0, 1)?.t, 1000, 'the next one after the position, not the one at it');
  assert.equal(neighbourMarker(markers, 3000, 1)?.t, 3500);
  assert.equal(neighbourMarker(markers, 2999, 1)?.t, 3000, 'a millisecond before one: that one');
  assert.equal(neighbourMarker(markers, 3000, -1)?.t, 1000);
  assert.equal(neighbourMarker(markers, 6000, 1), undefined);
  assert.equal(neighbourMarker(markers, 0, -1), undefined);
});

test('the slide at a moment is the last move at or before it; times read m:ss, then h:mm:ss', { timeout: 5000 }, () => {
  const slides = slidesOf(timeline);
  assert.equal(slideAt(slides, 3999)?.slide, 0);
  assert.equal(slideAt(slides, 4000)?.slide, 5);
  assert.equal(slideAt(slidesOf({ ...timeline, events: [{ t: 50, kind: 'slide', slide: 2 }] }), 10), undefined);
  assert.deepEqual([0, 59_999, 61_000, 3_600_000, 3_661_000].map(formatTime), ['0:00', '0:59', '1:01', '1:00:00', '1:01:01']);
  assert.equal(formatDate(new Date(2026, 11, 6, 9, 5, 59)), '2026-12-06 09:05');
});

test('a seek plan: a short step forward goes on; back or far forward rebuilds from the last keyframe at or before the target', { timeout: 5000 }, () => {
  const events = Array.from({ length: 10 }, (_, i) => ({ t: i * 100, kind: 'output' as const, terminal: 'shell', data: 'x'.repeat(1000) }));
  const keyframes = [4, 8].map((count) => ({ terminal: 'shell', events: count, cols: 90, rows: 20, data: `state-${count}` }));
  const [track] = tracksOf({ ...timeline, terminals: [{ name: 'shell', cols: 80, rows: 24 }], events, keyframes: [...keyframes].reverse() });
  assert.ok(track);
  assert.deepEqual(
    track.keyframes.map((keyframe) => keyframe.events),
    [4, 8],
  );
  const plan = (played: number, target: number) => {
    const { rebuild, from, ...rest } = seekPlan(track, played, target, 2500);
    return { rebuild, from, keyframe: 'keyframe' in rest ? rest.keyframe?.data : undefined };
  };
  // Forward over at most 2500 characters: on from where the player is.
  assert.deepEqual(plan(5, 7), { rebuild: false, from: 5, keyframe: undefined });
  // Far forward: from the last keyframe at or before the target (the end: the last keyframe).
  assert.deepEqual(plan(0, 10), { rebuild: true, from: 8, keyframe: 'state-8' });
  assert.deepEqual(plan(0, 8), { rebuild: true, from: 8, keyframe: 'state-8' });
  assert.deepEqual(plan(1, 7), { rebuild: true, from: 4, keyframe: 'state-4' });
  // Back: a keyframe at or before the target, or the start when there is none.
  assert.deepEqual(plan(10, 5), { rebuild: true, from: 4, keyframe: 'state-4' });
  assert.deepEqual(plan(10, 3), { rebuild: true, from: 0, keyframe: undefined });
  // Without keyframes, as before: far forward and back write from the start.
  const [bare] = tracksOf({ ...timeline, terminals: [{ name: 'shell', cols: 80, rows: 24 }], events });
  assert.deepEqual(seekPlan(bare!, 0, 10, 2500), { rebuild: true, from: 0 });
});

test('steps between two events: each run of output one string, resizes between; their output characters', { timeout: 5000 }, () => {
  const timeline: Timeline = {
    attendee: 'a',
    startedAt: new Date(0).toISOString(),
    durationMs: 50,
    terminals: [{ name: 'shell', cols: 80, rows: 24 }],
    events: [
      { t: 10, kind: 'output', terminal: 'shell', data: 'ab' },
      { t: 20, kind: 'output', terminal: 'shell', data: 'cd' },
      { t: 30, kind: 'resize', terminal: 'shell', cols: 100, rows: 30 },
      { t: 40, kind: 'output', terminal: 'shell', data: 'e' },
      { t: 50, kind: 'output', terminal: 'shell', data: 'f' },
    ],
    inputRecorded: false,
  };
  const [track] = tracksOf(timeline);
  assert.ok(track);
  assert.deepEqual(stepsBetween(track, 0, 5), ['abcd', { cols: 100, rows: 30 }, 'ef']);
  assert.deepEqual(stepsBetween(track, 1, 4), ['cd', { cols: 100, rows: 30 }, 'e']);
  assert.deepEqual(stepsBetween(track, 3, 3), []);
  assert.equal(outputChars(stepsBetween(track, 0, 5)), 6);
});

test('writeSlices: pieces of at most the size, in order, a surrogate pair never cut in two', { timeout: 5000 }, () => {
  assert.deepEqual(writeSlices('', 4), []);
  assert.deepEqual(writeSlices('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  // '😀' is two UTF-16 units: cut at 4 it would leave a lone high surrogate at the end of the first piece.
  const text = 'abc😀def';
  const slices = writeSlices(text, 4);
  assert.deepEqual(slices, ['abc', '😀de', 'f']);
  assert.equal(slices.join(''), text);
  const long = '\x1b[31m'.concat('é😀x'.repeat(5000), '\x1b[0m');
  const pieces = writeSlices(long, 1000);
  assert.equal(pieces.join(''), long);
  for (const piece of pieces) {
    assert.ok(piece.length <= 1000 && piece.length > 0);
    assert.ok(!/[\ud800-\udbff]$/.test(piece) || piece === pieces.at(-1), `a piece ends with a high surrogate: ${JSON.stringify(piece.slice(-3))}`);
  }
  assert.throws(() => writeSlices('abc', 1), /cannot hold a surrogate pair/);
});
