// Keyframes (record/keyframes.ts): a keyframe, written into a new terminal of its size followed by the output after
// it, rebuilds exactly the state that writing everything from the start gives (screen, scrollback, cursor, colours),
// across a resize and the alternate screen; a terminal with little output gets none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyframeMinChars, keyframesOf } from '../../src/record/keyframes.ts';
import type { Timeline, TimelineEvent } from '../../src/protocol.ts';
import { stateAfter, type TrackEvent } from '../support/terminal-state.ts';

function timelineOf(events: TimelineEvent[]): Timeline {
  return {
    attendee: 'alice',
    startedAt: new Date(0).toISOString(),
    durationMs: events.at(-1)?.t ?? 0,
    terminals: [{ name: 'shell', cols: 80, rows: 24 }],
    events,
    inputRecorded: false,
  };
}

test('each keyframe plus the output after it rebuilds the state that writing everything from the start gives', { timeout: 30_000 }, async () => {
  const events: TimelineEvent[] = [];
  let t = 0;
  for (let line = 0; line < 3000; line++) {
    events.push({ t: (t += 10), kind: 'output', terminal: 'shell', data: `\u001b[3${line % 8};1mline ${line}\u001b[0m ${'y'.repeat(line % 50)}\r\n` });
    if (line === 1000) events.push({ t: (t += 10), kind: 'resize', terminal: 'shell', cols: 100, rows: 30 });
    if (line === 2990) events.push({ t: (t += 10), kind: 'output', terminal: 'shell', data: '\u001b[?1049h\u001b[2J\u001b[3;4H\u001b[44mfull screen' });
    if (line === 2995) events.push({ t: (t += 10), kind: 'command', terminal: 'shell', command: 'vi', exitCode: 0 });
  }
  events.push({ t: (t += 10), kind: 'output', terminal: 'logs', data: 'another terminal' });
  const timeline = timelineOf(events);
  const keyframes = await keyframesOf(timeline, 30_000);
  const shell = events.filter((event): event is TrackEvent => (event.kind === 'output' || event.kind === 'resize') && event.terminal === 'shell');
  assert.ok(keyframes.length >= 3, `a keyframe every 30 000 characters, and one at the end: ${keyframes.length}`);
  assert.deepEqual(
    keyframes.map((keyframe) => keyframe.terminal),
    keyframes.map(() => 'shell'),
    'the other terminal has too little output for a keyframe',
  );
  assert.equal(keyframes.at(-1)?.events, shell.length, 'the last keyframe is at the end');
  assert.deepEqual(
    keyframes.map((keyframe) => [keyframe.cols, keyframe.rows]).filter(([cols]) => cols === 100).length > 0,
    true,
    'keyframes after the resize have its size',
  );
  for (const keyframe of keyframes) {
    for (const more of [0, 7]) {
      const count = Math.min(keyframe.events + more, shell.length);
      const expected = await stateAfter({ cols: 80, rows: 24 }, shell.slice(0, count));
      const fromKeyframe = await stateAfter(keyframe, shell.slice(keyframe.events, count), keyframe.data);
      assert.equal(fromKeyframe, expected, `keyframe at ${keyframe.events} events, then ${count - keyframe.events} more`);
      // Its screen alone (what a player shows first) gives the same screen, cursor and buffer, in a fraction of the size.
      assert.ok(keyframe.screen !== undefined && keyframe.screen.length < keyframe.data.length / 4, `keyframe at ${keyframe.events}: its screen is small`);
      assert.equal(
        await stateAfter(keyframe, shell.slice(keyframe.events, count), keyframe.screen, 0),
        await stateAfter({ cols: 80, rows: 24 }, shell.slice(0, count), '', 0),
        `keyframe at ${keyframe.events} events, its screen alone, then ${count - keyframe.events} more`,
      );
    }
  }
});

test(`a terminal with less than ${keyframeMinChars} characters of output has no keyframe`, { timeout: 10_000 }, async () => {
  const events: TimelineEvent[] = [{ t: 1, kind: 'output', terminal: 'shell', data: 'x'.repeat(keyframeMinChars - 1) }];
  assert.deepEqual(await keyframesOf(timelineOf(events)), []);
});
