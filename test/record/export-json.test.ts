// `labdeck record export --json` gives the whole timeline a Recorder wrote (the terminal's output and resizes, the
// commands, the slide moves, the check transitions) and nothing derived: the keyframes it took for the replay page's
// seeks ("k" lines of a segment) stay out, though the recording holds them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorder } from '../../src/record/recorder.ts';
import { Recordings, recordingsFolder } from '../../src/record/recordings.ts';
import { keyframeMinChars } from '../../src/record/keyframes.ts';
import type { Timeline } from '../../src/protocol.ts';
import { runLabdeck } from '../cli/run-cli.ts';

test('record export --json: output, resizes, commands, slides and checks, and no keyframe', { timeout: 30_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'labdeck-export-json-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const data = join(dir, '.data');
  let now = Date.parse('2026-12-06T10:00:00Z');
  const recorder = new Recorder({ folder: recordingsFolder(data), input: false, log: () => {}, now: () => now });
  const tap = recorder.tap({ attendee: 'local', name: 'shell', cols: 80, rows: 24, scrollback: 1000 })!;
  recorder.slide('local', 1, 'second');
  // More output than a keyframe needs (the recording ends with one), coloured: plain lines scrolled away would be
  // left out as a flood (flood.ts).
  const lines = Array.from({ length: Math.ceil((keyframeMinChars * 2) / 80) }, (_, i) => `\u001b[3${i % 8}mline ${i}\u001b[0m ${'x'.repeat(60)}\r\n`);
  for (const line of lines) {
    now += 10;
    tap.output(line);
  }
  now += 10;
  tap.resize(100, 30);
  now += 10;
  tap.output('done\r\n');
  recorder.commandRan({ command: 'make it', exitCode: 2, startedAt: now - 5, endedAt: now, cwd: undefined, terminal: 'local/shell' });
  now += 10;
  recorder.check('local', { step: 'step-1', from: 'pending', to: 'failed', reason: 'no service' });
  now += 1000;
  await recorder.close();
  const recorded = new Recordings({ folder: recordingsFolder(data) }).timelineNow('local');
  assert.ok((recorded?.keyframes ?? []).length > 0, 'the recording holds keyframes (else this test shows nothing)');

  const run = await runLabdeck(['record', 'export', 'local', '--data', data, '--json'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stdout, /"keyframes"|"k"/, 'no keyframe in the export');
  const timeline = JSON.parse(run.stdout) as Timeline;
  assert.equal(timeline.keyframes, undefined);
  assert.deepEqual(Object.keys(timeline).sort(), ['attendee', 'durationMs', 'events', 'inputRecorded', 'startedAt', 'terminals']);
  assert.deepEqual(
    timeline.events.filter((event) => event.kind !== 'output').map((event) => ({ ...event, t: undefined })),
    [
      { t: undefined, kind: 'slide', slide: 1, name: 'second' },
      { t: undefined, kind: 'resize', terminal: 'shell', cols: 100, rows: 30 },
      { t: undefined, kind: 'command', terminal: 'shell', command: 'make it', exitCode: 2 },
      { t: undefined, kind: 'check', step: 'step-1', from: 'pending', to: 'failed', reason: 'no service' },
    ],
  );
  assert.equal(timeline.events.flatMap((event) => (event.kind === 'output' ? [event.data] : [])).join(''), `${lines.join('')}done\r\n`, 'the output whole, in order');
});
