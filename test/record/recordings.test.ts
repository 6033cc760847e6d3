// Recordings on disk and their formats: segments readable while written and after a crash, one Timeline from several
// segments (a terminal restarted is reset), retention, removal, the asciicast export, and the `record:` settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWorkshop } from '../../src/config/workshop.ts';
import { asciicastOf, pickTerminal } from '../../src/record/asciicast.ts';
import { decodeSegment, encodeEvent, encodeHeader, timelineFromSegments, type Segment } from '../../src/record/recording-format.ts';
import { Recorder } from '../../src/record/recorder.ts';
import { Recordings } from '../../src/record/recordings.ts';
import { readSegmentFile, SegmentFile } from '../../src/record/segment-file.ts';
import { waitUntil } from '../terminal/terminal-client.ts';

function scratch(t: { after(fn: () => unknown): void }): string {
  const folder = mkdtempSync(join(tmpdir(), 'labdeck-recordings-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

const header = (startedAt: number, input = false) => ({ labdeck: 'recording' as const, version: 1, attendee: 'a-1', startedAt, input });

test('a segment is readable as far as it was flushed while it is written, after a crash cut it, and once closed', { timeout: 10_000 }, async (t) => {
  const path = join(scratch(t), 'segment.jsonl.gz');
  const file = new SegmentFile(path, (error) => assert.fail(error));
  file.append(`${encodeHeader(header(1000))}\n${encodeEvent({ t: 5, kind: 'output', terminal: 'shell', data: 'hello\r\n' })}\n`);
  await waitUntil(
    () => existsSync(path) && readSegmentFile(path).includes('hello'),
    5000,
    () => 'the first second on disk',
  );
  file.append(`${encodeEvent({ t: 900, kind: 'output', terminal: 'shell', data: 'world\r\n' })}\n`);
  await waitUntil(
    () => readSegmentFile(path).includes('world'),
    5000,
    () => 'the second second on disk',
  );
  // What a SIGKILL during a write leaves: the last bytes missing. What was flushed before stays readable.
  const copy = `${path}.cut`;
  writeFileSync(copy, readFileSync(path).subarray(0, statSync(path).size - 3));
  assert.deepEqual(decodeSegment(readSegmentFile(copy))?.events.length, 2);
  truncateSync(copy, 40);
  assert.doesNotThrow(() => readSegmentFile(copy));
  await file.close();
  const segment = decodeSegment(readSegmentFile(path));
  assert.deepEqual(segment?.events, [
    { t: 5, kind: 'output', terminal: 'shell', data: 'hello\r\n' },
    { t: 900, kind: 'output', terminal: 'shell', data: 'world\r\n' },
  ]);
});

test('a segment line cut in the middle is skipped, the lines before it kept', () => {
  const text = `${encodeHeader(header(0))}\n${encodeEvent({ t: 1, kind: 'slide', slide: 3, name: 'intro' })}\n[2,"o","shell","unfini`;
  assert.deepEqual(decodeSegment(text)?.events, [{ t: 1, kind: 'slide', slide: 3, name: 'intro' }]);
  assert.equal(decodeSegment('not a header\n'), undefined);
});

test('a keyframe line keeps its screen alone; one written before labdeck kept it (seven fields) reads without', () => {
  const keyframe = { t: 3, kind: 'keyframe', terminal: 'shell', events: 2, cols: 80, rows: 24, data: 'all\r\nlines', screen: 'lines' } as const;
  const { screen: _screen, ...before } = keyframe;
  const text = [encodeHeader(header(0)), encodeEvent(keyframe), '[4,"k","shell",2,80,24,"all\\r\\nlines"]', '[5,"k","shell",2,80,24,"x",7]'].join('\n');
  assert.deepEqual(decodeSegment(text)?.events, [keyframe, { ...before, t: 4 }], 'a screen that is not text makes the line unreadable');
});

test('segments make one timeline: relative times, a terminal restarted is reset (and resized), input recorded if any segment did', () => {
  const first: Segment = {
    header: header(10_000),
    events: [
      { t: 0, kind: 'start', terminal: 'shell', cols: 80, rows: 24 },
      { t: 100, kind: 'output', terminal: 'shell', data: 'one' },
      { t: 200, kind: 'command', terminal: 'shell', command: 'false', exitCode: 1 },
    ],
  };
  const second: Segment = {
    header: header(20_000, true),
    events: [
      { t: 0, kind: 'start', terminal: 'shell', cols: 100, rows: 30 },
      { t: 50, kind: 'check', step: 's.1', from: 'failed', to: 'passed', reason: 'ok' },
    ],
  };
  const timeline = timelineFromSegments('a-1', [second, first]);
  assert.deepEqual(timeline, {
    attendee: 'a-1',
    startedAt: new Date(10_000).toISOString(),
    durationMs: 10_050,
    terminals: [{ name: 'shell', cols: 80, rows: 24 }],
    events: [
      { t: 100, kind: 'output', terminal: 'shell', data: 'one' },
      { t: 200, kind: 'command', terminal: 'shell', command: 'false', exitCode: 1 },
      { t: 10_000, kind: 'resize', terminal: 'shell', cols: 100, rows: 30 },
      { t: 10_000, kind: 'output', terminal: 'shell', data: '\u001bc' },
      { t: 10_050, kind: 'check', step: 's.1', from: 'failed', to: 'passed', reason: 'ok' },
    ],
    inputRecorded: true,
  });
  assert.equal(timelineFromSegments('a-1', []), undefined);
});

test('one terminal exports as asciicast v2: a header of its size, [seconds, code, data] from its first event', () => {
  const timeline = timelineFromSegments('a-1', [
    {
      header: header(1_700_000_000_000),
      events: [
        { t: 0, kind: 'start', terminal: 'node1', cols: 80, rows: 24 },
        { t: 1000, kind: 'start', terminal: 'shell', cols: 120, rows: 40 },
        { t: 1500, kind: 'output', terminal: 'shell', data: '$ ' },
        { t: 1750, kind: 'input', terminal: 'shell', data: 'l' },
        { t: 2000, kind: 'resize', terminal: 'shell', cols: 100, rows: 30 },
        { t: 2100, kind: 'output', terminal: 'node1', data: 'other' },
      ],
    },
  ]);
  assert.ok(timeline);
  const lines = asciicastOf(timeline, pickTerminal(timeline, 'shell'))
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
  assert.deepEqual(lines, [
    { version: 2, width: 120, height: 40, timestamp: 1_700_000_001, title: 'a-1/shell', env: { TERM: 'xterm-256color' } },
    [0, 'o', '$ '],
    [0.25, 'i', 'l'],
    [0.5, 'r', '100x30'],
  ]);
  assert.equal(pickTerminal(timeline, undefined).name, 'node1');
  assert.throws(() => pickTerminal(timeline, 'nope'), /has no terminal "nope" \(it has: node1, shell\)/);
});

test('retention removes the segments last written before it, and the folder of an attendee left with none', { timeout: 10_000 }, async (t) => {
  const folder = scratch(t);
  const write = (attendee: string, name: string, ageDays: number) => {
    mkdirSync(join(folder, attendee), { recursive: true });
    const path = join(folder, attendee, name);
    writeFileSync(path, '');
    const at = (Date.now() - ageDays * 86_400_000) / 1000;
    utimesSync(path, at, at);
    return path;
  };
  const old = write('a-old', '1-aa.jsonl.gz', 40);
  const oldOfRecent = write('a-recent', '2-bb.jsonl.gz', 31);
  const recent = write('a-recent', '3-cc.jsonl.gz', 2);
  const recordings = new Recordings({ folder });
  assert.equal(recordings.removeOlderThan(30 * 86_400_000), 2);
  assert.equal(existsSync(old), false);
  assert.equal(existsSync(join(folder, 'a-old')), false);
  assert.equal(existsSync(oldOfRecent), false);
  assert.equal(existsSync(recent), true);
});

test('the recorder writes a slide once per move, check transitions and commands; remove() deletes the attendee and records no more of them', {
  timeout: 10_000,
}, async (t) => {
  const folder = scratch(t);
  const recorder = new Recorder({ folder, input: false, log: () => {} });
  t.after(() => recorder.close());
  const recordings = new Recordings({ folder });
  recorder.slide('a-1', 4, 'intro');
  recorder.slide('a-1', 4, 'intro');
  recorder.slide('a-1', 5);
  recorder.check('a-1', { step: 's.1', from: 'failed', to: 'passed', reason: 'service `web`: 1/1 tasks running' });
  recorder.commandRan({ command: 'ls', exitCode: undefined, startedAt: 1, endedAt: 2, cwd: undefined, terminal: 'a-1/shell' });
  recorder.slide('a-2', 0);
  recorder.flush();
  let kinds: string[] = [];
  await waitUntil(
    () => (kinds = recordings.timelineNow('a-1')?.events.map((event) => event.kind) ?? []).length === 4,
    5000,
    () => `4 events; got ${kinds.join(', ')}`,
  );
  const events = recordings.timelineNow('a-1')?.events ?? [];
  assert.deepEqual(
    events.filter((event) => event.kind === 'slide').map((event) => [event.slide, event.name]),
    [
      [4, 'intro'],
      [5, undefined],
    ],
  );
  assert.deepEqual(
    events.find((event) => event.kind === 'command'),
    { t: events.find((event) => event.kind === 'command')?.t, kind: 'command', terminal: 'shell', command: 'ls', exitCode: null },
  );
  await waitUntil(
    () => recordings.attendees().includes('a-2'),
    5000,
    () => 'a-2 recorded',
  );
  await recorder.remove('a-2');
  assert.equal(existsSync(join(folder, 'a-2')), false);
  recorder.slide('a-2', 1);
  recorder.flush();
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(recordings.attendees(), ['a-1']);
});

test('record: in workshop.yml: on without input by default, false, input and retention, and mistakes at their line', () => {
  const parse = (...lines: string[]) => parseWorkshop(['title: T', 'content: [a.md]', ...lines].join('\n'), '/w/workshop.yml').record;
  assert.deepEqual(parse(), { enabled: true, input: false, retentionMs: 30 * 86_400_000 });
  assert.deepEqual(parse('record: false'), { enabled: false, input: false, retentionMs: 30 * 86_400_000 });
  assert.deepEqual(parse('record:', '  input: true', '  retention: 12h'), { enabled: true, input: true, retentionMs: 12 * 3_600_000 });
  assert.deepEqual(parse('record: { retention: 7d }').retentionMs, 7 * 86_400_000);
  assert.throws(() => parse('record:', '  input: yes please'), /^LabdeckError: \/w\/workshop\.yml:4: record: "input" must be true or false$/);
  assert.throws(() => parse('record:', '  retention: forever'), /\/w\/workshop\.yml:4: record: "retention" must be a duration above zero such as 30d/);
  assert.throws(() => parse('record:', '  inputs: true'), /\/w\/workshop\.yml:4: record: unknown key "inputs" \(known: input, retention\)/);
  assert.throws(() => parse('record: sometimes'), /\/w\/workshop\.yml:3: record: expected true, false, or a mapping/);
});
