// Keyframes written at recording time (record/recorder.ts, beside the events in each segment): each one, read back
// from disk, rebuilds exactly the state that writing the recorded output from the start gives (screen, scrollback,
// cursor, colours), across a resize, a quiet stretch and a restarted shell; the timeline route serves them as they
// are, and a keyframe lost to a crash (the last line of a segment cut) is recomputed, never served wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Recorder } from '../../src/record/recorder.ts';
import { Recordings } from '../../src/record/recordings.ts';
import { readSegmentFile } from '../../src/record/segment-file.ts';
import { keyframeEveryChars, keyframeMinChars, keyframesOf, servedKeyframes } from '../../src/record/keyframes.ts';
import { replayScrollback, type Timeline, type TimelineKeyframe } from '../../src/protocol.ts';
import { stateAfter, type TrackEvent } from '../support/terminal-state.ts';

/** The terminal's track in the timeline: its output and resizes, in order (what a player writes). */
function trackOf(timeline: Timeline, terminal: string): TrackEvent[] {
  return timeline.events.filter((event): event is TrackEvent => (event.kind === 'output' || event.kind === 'resize') && event.terminal === terminal);
}

/** Asserts that each keyframe, written into a new terminal of its size, gives the state written from the start. */
async function assertKeyframesExact(timeline: Timeline, keyframes: readonly TimelineKeyframe[]): Promise<void> {
  const start = timeline.terminals[0] ?? assert.fail('a terminal');
  for (const keyframe of keyframes) {
    const track = trackOf(timeline, keyframe.terminal);
    assert.ok(keyframe.events <= track.length, `keyframe at ${keyframe.events} of ${track.length} events`);
    const expected = await stateAfter(start, track.slice(0, keyframe.events));
    assert.equal(await stateAfter(keyframe, [], keyframe.data), expected, `the keyframe at ${keyframe.events} events`);
    assert.ok(keyframe.screen !== undefined, `the keyframe at ${keyframe.events} events has its screen alone`);
    assert.equal(
      await stateAfter(keyframe, [], keyframe.screen, 0),
      await stateAfter(start, track.slice(0, keyframe.events), '', 0),
      `the screen of the keyframe at ${keyframe.events} events`,
    );
  }
}

/** Coloured numbered lines, about `chars` characters. */
function lines(from: number, chars: number): string {
  let text = '';
  for (let line = from; text.length < chars; line++) text += `\u001b[3${line % 8}mline ${line}\u001b[0m ${'x'.repeat(40 + (line % 23))}\r\n`;
  return text;
}

interface Clock {
  now: number;
}

/** A Recorder on a clock the test moves, writing only when told (as its once-a-second timer would). */
function recorderIn(folder: string, clock: Clock): Recorder {
  return new Recorder({ folder, input: false, log: (line) => assert.fail(`the recorder said: ${line}`), now: () => clock.now, flushMs: 3_600_000 });
}

test('keyframes written at recording time equal the state computed from the recorded output', { timeout: 60_000 }, async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'labdeck-recorded-keyframes-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const clock: Clock = { now: 1_000_000 };
  const recorder = recorderIn(folder, clock);
  const second = () => {
    clock.now += 1000;
    recorder.flush();
  };
  let tap = recorder.tap({ attendee: 'alice', name: 'shell', cols: 100, rows: 30, scrollback: replayScrollback }) ?? assert.fail('recorded');
  // 1.5 MiB in 12 KiB seconds (a keyframe after the first MiB), a resize on the way, then a quiet second.
  let line = 0;
  for (let written = 0; written < keyframeEveryChars * 1.5; written += 12 * 1024) {
    const text = lines(line, 12 * 1024);
    line += text.split('\r\n').length;
    tap.output(text);
    if (written === 60 * 12 * 1024) tap.resize(90, 28);
    second();
  }
  second();
  // A full-screen program left open, then the shell restarted (a new session of the same terminal).
  tap.output('\u001b[?1049h\u001b[H\u001b[2J\u001b[7m full screen \u001b[0m\u001b[5;10Hin the middle');
  second();
  tap = recorder.tap({ attendee: 'alice', name: 'shell', cols: 80, rows: 24, scrollback: replayScrollback }) ?? assert.fail('recorded');
  tap.output(lines(line, keyframeMinChars + 1000));
  tap.output('\u001b[32muser@host\u001b[0m:~$ ');
  second();
  await recorder.close();

  const timeline = new Recordings({ folder }).timelineNow('alice') ?? assert.fail('a recording');
  const stored = timeline.keyframes ?? [];
  const track = trackOf(timeline, 'shell');
  t.diagnostic(`keyframes at ${stored.map((keyframe) => keyframe.events).join(', ')} of ${track.length} events`);
  assert.ok(stored.length >= 3, `a keyframe after the first MiB, one when the terminal went quiet, one at the end: ${stored.length}`);
  assert.equal(stored.at(-1)?.events, track.length, 'the last one is at the end of the recording');
  assert.deepEqual([stored.at(-1)?.cols, stored.at(-1)?.rows], [80, 24], 'at the restarted shell’s size');
  await assertKeyframesExact(timeline, stored);
  // The timeline route serves them as they are: nothing to compute.
  const served = await servedKeyframes(timeline);
  assert.ok(
    served.every((keyframe) => stored.includes(keyframe)),
    'served keyframes are the recorded ones',
  );
  assert.equal(served.at(-1), stored.at(-1));
});

test('a keyframe lost to a crash is recomputed by the timeline route, never served wrong', { timeout: 60_000 }, async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'labdeck-recorded-keyframes-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const clock: Clock = { now: 2_000_000 };
  const recorder = recorderIn(folder, clock);
  const tap = recorder.tap({ attendee: 'bob', name: 'shell', cols: 100, rows: 30, scrollback: replayScrollback }) ?? assert.fail('recorded');
  let line = 0;
  for (let written = 0; written < keyframeMinChars * 3; written += 8 * 1024) {
    const text = lines(line, 8 * 1024);
    line += text.split('\r\n').length;
    tap.output(text);
    clock.now += 1000;
    recorder.flush();
  }
  await recorder.close();
  // The segment as a SIGKILL during its keyframe's write would leave it: the keyframe's line cut short.
  const dir = join(folder, 'bob');
  const [name] = readdirSync(dir);
  const path = join(dir, name ?? assert.fail('a segment'));
  const text = readSegmentFile(path);
  const cut = text.lastIndexOf('"k"');
  assert.ok(cut > 0, 'the recording holds a keyframe');
  writeFileSync(path, gzipSync(text.slice(0, cut + 200)));
  assert.notEqual(readFileSync(path).length, 0);

  const timeline = new Recordings({ folder }).timelineNow('bob') ?? assert.fail('a recording');
  const track = trackOf(timeline, 'shell');
  const served = await servedKeyframes(timeline);
  assert.equal(served.at(-1)?.events, track.length, 'the end keyframe, recomputed');
  await assertKeyframesExact(timeline, served);
  assert.deepEqual(
    served.map((keyframe) => keyframe.events),
    (await keyframesOf({ ...timeline, keyframes: undefined })).map((keyframe) => keyframe.events),
    'as the route computed them before keyframes were recorded',
  );
});
