// The recorder on real PTYs running bash (TerminalManager + Recorder + the segments on disk): a recording replayed
// into a headless xterm ends on the screen the server's mirror holds, floods included; typed input is absent unless
// `record: { input: true }`; commands keep their exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import headless from '@xterm/headless';
import type { Timeline } from '../../src/protocol.ts';
import { Recorder } from '../../src/record/recorder.ts';
import { Recordings } from '../../src/record/recordings.ts';
import { TerminalManager } from '../../src/terminal/manager.ts';
import { TerminalClient, bytes, testEnvironment, waitUntil } from '../terminal/terminal-client.ts';

interface Rig {
  readonly manager: TerminalManager;
  readonly recorder: Recorder;
  readonly recordings: Recordings;
  open(
    attendee: string,
    role?: 'owner' | 'watcher',
    geometry?: { cols: number; rows: number },
  ): { client: TerminalClient; input(text: string): void; resize(cols: number, rows: number): void };
  /** Writes what waits, then reads the attendee's timeline from disk. */
  timeline(attendee: string): Promise<Timeline>;
}

function rig(t: { after(fn: () => unknown): void }, input = false): Rig {
  const folder = mkdtempSync(join(tmpdir(), 'labdeck-recorder-'));
  // Written once a second, as in serve.
  const recorder = new Recorder({ folder, input, log: () => {} });
  const manager = new TerminalManager({ defaultCommand: 'bash', env: testEnvironment(), tap: recorder.tap });
  // As serve wires them: commands come from the terminals' shell integration.
  manager.onCommand((record) => recorder.commandRan(record));
  const recordings = new Recordings({ folder });
  const clients: TerminalClient[] = [];
  t.after(async () => {
    manager.dispose();
    await recorder.close();
    for (const client of clients) client.dispose();
    rmSync(folder, { recursive: true, force: true });
  });
  return {
    manager,
    recorder,
    recordings,
    open(attendee, role = 'owner', geometry = { cols: 80, rows: 24 }) {
      const client = new TerminalClient();
      clients.push(client);
      const connection = manager.attach({ attendee, terminal: 'shell', role, ...geometry }, client);
      client.onAck = (n) => connection.ack(n);
      return { client, input: (text) => connection.input(bytes(text)), resize: (cols, rows) => connection.resize(cols, rows) };
    },
    async timeline(attendee) {
      recorder.flush();
      // The compressor works off the main thread: its flushed bytes reach the file a moment later.
      let timeline: Timeline | undefined;
      await waitUntil(
        () => (timeline = recordings.timelineNow(attendee)) !== undefined,
        5000,
        () => `a recording of ${attendee}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      return recordings.timelineNow(attendee) ?? assert.fail('the recording went away');
    },
  };
}

/** Replays a terminal's events into a headless xterm of the recorded size, as a player would. */
async function replay(timeline: Timeline, terminal = 'shell'): Promise<headless.Terminal> {
  const size = timeline.terminals.find((candidate) => candidate.name === terminal) ?? assert.fail(`no terminal ${terminal}`);
  const xterm = new headless.Terminal({ cols: size.cols, rows: size.rows, scrollback: 1000, allowProposedApi: true, logLevel: 'off' });
  for (const event of timeline.events) {
    if (!('terminal' in event) || event.terminal !== terminal) continue;
    if (event.kind === 'output') await new Promise<void>((resolve) => xterm.write(event.data, resolve));
    else if (event.kind === 'resize') xterm.resize(event.cols, event.rows);
  }
  return xterm;
}

/** The screen a headless xterm shows, and where its cursor is. */
function screenOf(xterm: headless.Terminal): { rows: string[]; cursor: [number, number]; size: [number, number] } {
  const buffer = xterm.buffer.active;
  const rows: string[] = [];
  for (let y = 0; y < xterm.rows; y++) rows.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
  return { rows, cursor: [buffer.cursorX, buffer.cursorY], size: [xterm.cols, xterm.rows] };
}

/** What the server's mirror holds: a watcher that attaches now is painted from it (a snapshot, nothing else). */
async function mirrorScreen(rigged: Rig, attendee: string): Promise<ReturnType<typeof screenOf>> {
  const { client } = rigged.open(attendee, 'watcher');
  await waitUntil(
    () => client.messages.some((message) => message.type === 'snapshot'),
    5000,
    () => 'a snapshot',
  );
  await client.waitForQuiet(100);
  return screenOf(client.terminal);
}

test('a replayed recording ends on the screen the mirror holds: colours, a clear, a resize, a flood, the alternate screen and back', { timeout: 60_000 }, async (t) => {
  const rigged = rig(t);
  const { client, input, resize } = rigged.open('alice', 'owner', { cols: 90, rows: 28 });
  await client.waitForText('$ ');
  input('printf "\\033[31mred\\033[0m plain\\n"; clear; echo after-clear\r');
  await client.waitForText('after-clear\r\n');
  resize(70, 20);
  await client.waitForQuiet(200);
  // A flood: far more lines than the scrollback holds, most of them left out of the recording.
  input('seq -f "line %06g of a flood" 1 60000; echo flood-$((6*7))\r');
  await client.waitForText('flood-42', 30_000);
  input('printf "\\033[?1049h\\033[2J\\033[Hin the alternate screen"; sleep 0.2; printf "\\033[?1049l"; echo back-$((7*6))\r');
  await client.waitForText('back-42', 10_000);
  await client.waitForQuiet(300);

  const timeline = await rigged.timeline('alice');
  const live = await mirrorScreen(rigged, 'alice');
  const replayed = screenOf(await replay(timeline));
  assert.deepEqual(replayed, live, `replayed:\n${replayed.rows.join('\n')}\nlive:\n${live.rows.join('\n')}`);
  assert.deepEqual(live.size, [70, 20]);
  const recordedChars = timeline.events.reduce((sum, event) => sum + (event.kind === 'output' ? event.data.length : 0), 0);
  t.diagnostic(`the flood printed ${client.text.length} characters; the recording kept ${recordedChars}`);
  assert.ok(recordedChars < client.text.length / 4, `a flood is not recorded line by line: ${recordedChars} of ${client.text.length} characters kept`);
});

test('commands are recorded with their exit codes, and typed input is not recorded by default', { timeout: 30_000 }, async (t) => {
  const rigged = rig(t);
  const { client, input } = rigged.open('bob');
  await client.waitForText('$ ');
  // Typed at a prompt that does not echo it: the only way it could reach the recording is as input.
  input('read -rsp "pass""word: " secret; echo; echo read-$((6*7))\r');
  await client.waitForText('password: ');
  input('hunter2-password\r');
  await client.waitForText('read-42');
  input('false\r');
  input('true\r');
  await waitUntil(
    () => client.text.split('$ ').length >= 5,
    5000,
    () => `three prompts; got ${JSON.stringify(client.text)}`,
  );
  const timeline = await rigged.timeline('bob');
  assert.equal(timeline.inputRecorded, false);
  assert.equal(timeline.events.filter((event) => event.kind === 'input').length, 0);
  assert.doesNotMatch(JSON.stringify(timeline), /hunter2/);
  const commands = timeline.events.flatMap((event) => (event.kind === 'command' ? [[event.command, event.exitCode]] : []));
  assert.deepEqual(commands.slice(-2), [
    ['false', 1],
    ['true', 0],
  ]);
});

test('with record: { input: true }, typed input is in the recording', { timeout: 30_000 }, async (t) => {
  const rigged = rig(t, true);
  const { client, input } = rigged.open('carol');
  await client.waitForText('$ ');
  input('read -rsp "pass""word: " secret; echo; echo read-$((6*7))\r');
  await client.waitForText('password: ');
  input('hunter2-password\r');
  await client.waitForText('read-42');
  const timeline = await rigged.timeline('carol');
  assert.equal(timeline.inputRecorded, true);
  const typed = timeline.events.flatMap((event) => (event.kind === 'input' ? [event.data] : [])).join('');
  assert.match(typed, /hunter2-password\r/);
});
