// TerminalSession and TerminalManager against real PTYs running bash.
// It measures an echo's latency (under 250 ms after a flood): with another file beside it on 2 cores that measures
// the machine, so it runs alone.
// test-runner: alone
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandRecord } from '../../src/protocol.ts';
import { TerminalManager, TerminalRefusal } from '../../src/terminal/manager.ts';
import { TerminalClient, bytes, testEnvironment, waitUntil } from './terminal-client.ts';

function managerFor(options: ConstructorParameters<typeof TerminalManager>[0] = {}): TerminalManager {
  return new TerminalManager({ defaultCommand: 'bash', env: testEnvironment(), ...options });
}

function open(manager: TerminalManager, role: 'owner' | 'instructor' | 'watcher' = 'owner', geometry = { cols: 80, rows: 24 }, terminal = 'shell') {
  const client = new TerminalClient();
  const connection = manager.attach({ attendee: 'alice', terminal, role, ...geometry }, client);
  client.onAck = (n) => connection.ack(n);
  return { client, connection };
}

test('a viewer gets state, a snapshot, then the output of what it types', async (t) => {
  const manager = managerFor();
  t.after(() => manager.dispose());
  const { client, connection } = open(manager, 'owner', { cols: 100, rows: 30 });
  assert.equal(client.messages[0]?.type, 'state');
  assert.deepEqual(client.state, { terminal: 'shell', role: 'owner', cols: 100, rows: 30 });
  assert.equal(client.messages[1]?.type, 'snapshot');
  connection.input(bytes('echo $((6*7))-$COLUMNS\r'));
  await client.waitForText('42-100');
  assert.doesNotMatch(client.text, /\x1b\]633/, 'shell integration sequences never reach viewers');
});

test('in a flood, a frame that is not full waits 16 ms for more; an echo after a quiet moment goes out at once', async (t) => {
  const manager = managerFor();
  t.after(() => manager.dispose());
  const { client, connection } = open(manager);
  await client.waitForText('$ ');
  // When each frame left.
  const frames: { at: number; bytes: number }[] = [];
  const deliver = client.send.bind(client);
  client.send = (message) => {
    if (message.type === 'output') frames.push({ at: performance.now(), bytes: message.data.byteLength });
    deliver(message);
  };
  // 4 MiB of 100-character lines, as fast as the PTY gives them.
  connection.input(bytes('head -c 4194304 /dev/zero | tr "\\0" x | fold -w 99; echo flood-$((6*7))\r'));
  await client.waitForText('flood-42', 20_000);
  // A frame sent because it was full (256 Ki characters) leaves at once; any other that follows a flood frame
  // (2 Ki characters or more) was collected for 16 ms (4 ms outside a flood).
  const gaps = frames.slice(1).flatMap((frame, i) => (frames[i]!.bytes >= 2048 && frame.bytes < 256 * 1024 ? [frame.at - frames[i]!.at] : []));
  // The median, not the minimum: a timer counts from the start of the event loop's turn, and a long turn (the mirror
  // parsing a batch on a loaded machine) shortens the gap after it.
  gaps.sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)]!;
  t.diagnostic(`gaps after flood frames: median ${median.toFixed(1)} ms, min ${gaps[0]!.toFixed(1)} ms over ${gaps.length} of ${frames.length} frames`);
  assert.ok(gaps.length >= 5, `${gaps.length} frames after flood frames, over ${frames.length} frames`);
  assert.ok(median >= 12, `gaps after flood frames: median ${median.toFixed(1)} ms over ${gaps.length}`);
  await client.waitForQuiet(100);
  const typed = performance.now();
  const count = frames.length;
  connection.input(bytes('z'));
  await waitUntil(
    () => frames.length > count,
    1000,
    () => 'the echo',
  );
  // Not held for a flood's 16 ms frames (the bench measures the echo's latency; this only catches a frame timer).
  assert.ok(performance.now() - typed < 250, `echo after ${(performance.now() - typed).toFixed(1)} ms`);
  assert.ok(
    frames.slice(count).every(({ bytes }) => bytes < 64),
    'the echo went out alone',
  );
});

test('shell integration records commands with exit codes and cwd, and ignores forged sequences', async (t) => {
  const manager = managerFor();
  t.after(() => manager.dispose());
  const { client, connection } = open(manager);
  const session = manager.get('alice', 'shell')!;
  const heard: CommandRecord[] = [];
  manager.onCommand((record) => heard.push(record));
  const run = async (line: string, expected: number) => {
    connection.input(bytes(`${line}\r`));
    await waitUntil(
      () => session.commandLog.length === expected,
      5000,
      () => `${expected} commands; log ${JSON.stringify(session.commandLog)}`,
    );
  };
  await run('cd /tmp', 1);
  await run('true', 2);
  await run('false', 3);
  // Forged: a wrong nonce on E, then a D without any E (and without nonce), then a forged prompt cycle.
  await run(String.raw`printf '\e]633;E;rm -rf /;wrongnonce\a\e]633;C;wrongnonce\a\e]633;D;0\a\e]633;D;7;wrongnonce\a'`, 4);
  await run(`echo 'a;b\\c'`, 5);
  const log = session.commandLog.map(({ command, exitCode, cwd, terminal }) => ({ command, exitCode, cwd, terminal }));
  assert.deepEqual(log.slice(0, 3), [
    { command: 'cd /tmp', exitCode: 0, cwd: process.cwd(), terminal: 'alice/shell' },
    { command: 'true', exitCode: 0, cwd: '/tmp', terminal: 'alice/shell' },
    { command: 'false', exitCode: 1, cwd: '/tmp', terminal: 'alice/shell' },
  ]);
  assert.match(log[3]!.command, /^printf/);
  assert.equal(log[3]!.exitCode, 0, 'the forged D;7 did not change the printf record');
  assert.equal(log[4]!.command, `echo 'a;b\\c'`);
  assert.ok(!log.some((record) => record.command.startsWith('rm')), 'the forged E made no record');
  assert.deepEqual(heard, [...session.commandLog]);
  for (const record of session.commandLog) assert.ok(record.endedAt! >= record.startedAt);
  assert.doesNotMatch(client.text, /\x1b\]633/, 'forged sequences are stripped too');
  // Ctrl-C on a running command: exit 130.
  // Interrupt only once the command runs (its first output is there): the echo of the typed line is not enough on a
  // loaded machine, where bash may not have read the line yet. One process (sh, then sleep in its place), so that
  // the interrupt cannot fall between two commands of a list.
  connection.input(bytes("sh -c 'echo sleeping; exec sleep 30'\r"));
  await waitUntil(
    () => /[\r\n]sleeping\r\n/.test(client.text),
    5000,
    () => `the command running: ${JSON.stringify(client.text.slice(-200))}`,
  );
  connection.input(bytes('\x03'));
  await waitUntil(
    () => session.commandLog.length === 6,
    5000,
    () => 'sleep recorded',
  );
  assert.deepEqual([session.commandLog[5]!.command, session.commandLog[5]!.exitCode], ["sh -c 'echo sleeping; exec sleep 30'", 130]);
});

test('every viewer sees the same output; a watcher cannot type and its input is counted', async (t) => {
  const manager = managerFor();
  t.after(() => manager.dispose());
  const owner = open(manager, 'owner');
  const watcher = open(manager, 'watcher', { cols: 50, rows: 10 });
  const instructor = open(manager, 'instructor', { cols: 60, rows: 10 });
  assert.deepEqual([watcher.client.state?.cols, instructor.client.state?.cols], [80, 80], "the owner's geometry wins");
  watcher.connection.input(bytes('echo watcher-typed\r'));
  watcher.connection.resize(30, 5);
  instructor.connection.input(bytes('echo instructor-$((1+1))\r'));
  for (const viewer of [owner, watcher, instructor]) await viewer.client.waitForText('instructor-2');
  assert.ok(!owner.client.text.includes('watcher-typed'));
  assert.equal(manager.get('alice', 'shell')!.stats().droppedInputBytes, 'echo watcher-typed\r'.length);
  assert.equal(manager.get('alice', 'shell')!.cols, 80, 'a watcher cannot resize');
  owner.connection.resize(100, 20);
  for (const viewer of [owner, watcher, instructor]) assert.deepEqual([viewer.client.state?.cols, viewer.client.state?.rows], [100, 20]);
});

test('a watcher cannot start a terminal; limits on terminals per attendee and geometry are enforced', async (t) => {
  const manager = managerFor({ limits: { maxTerminalsPerAttendee: 2, maxCols: 200, maxRows: 50 } });
  t.after(() => manager.dispose());
  assert.throws(() => open(manager, 'watcher'), TerminalRefusal);
  const first = open(manager, 'owner', { cols: 5000, rows: 2 }, 'one');
  assert.deepEqual([first.client.state?.cols, first.client.state?.rows], [200, 4], 'clamped into [10..200] x [4..50]');
  open(manager, 'owner', { cols: 80, rows: 24 }, 'two');
  assert.throws(() => open(manager, 'owner', { cols: 80, rows: 24 }, 'three'), /already has 2 terminals/);
  open(manager, 'instructor', { cols: 80, rows: 24 }, 'two');
  assert.equal(manager.list().length, 2, 'a second viewer reuses the running terminal');
  assert.throws(() => manager.attach({ attendee: '-oProxyCommand=x', terminal: 'shell', role: 'owner', cols: 80, rows: 24 }, new TerminalClient()), TerminalRefusal);
});

test('input above the rate limit is dropped with a notice', async (t) => {
  const manager = managerFor({ limits: { inputBytesPerSecond: 100, inputBurstBytes: 200 } });
  t.after(() => manager.dispose());
  const { client, connection } = open(manager);
  connection.input(bytes(`echo ${'x'.repeat(300)}\r`));
  connection.input(bytes('echo small-$((2+3))\r'));
  await client.waitForText('small-5');
  assert.ok(!client.text.includes('x'.repeat(300)));
  assert.ok(client.messages.some((message) => message.type === 'notice' && message.code === 'input-rate'));
  assert.equal(manager.get('alice', 'shell')!.stats().droppedInputBytes, 306);
});

test('a reconnecting viewer is repainted from the mirror, full-screen vi included, at its new geometry', async (t) => {
  const manager = managerFor();
  t.after(() => manager.dispose());
  const env = testEnvironment();
  const file = join(env.HOME!, 'notes.txt');
  writeFileSync(file, 'first line of the mirror check\nsecond line\n');
  const first = open(manager, 'owner', { cols: 80, rows: 24 });
  first.connection.input(bytes(`vi -u NONE ${file}\r`));
  await first.client.waitForScreen(/first line of the mirror check[\s\S]*~[\s\S]*notes\.txt/);
  await first.client.waitForQuiet(300);
  first.connection.detach();
  first.client.dispose();
  const pid = manager.get('alice', 'shell')!.pid;

  // Same geometry: no SIGWINCH, vi draws nothing; the screen can only come from the mirror's snapshot.
  const second = open(manager, 'owner', { cols: 80, rows: 24 });
  assert.equal(manager.get('alice', 'shell')!.pid, pid, 'same process');
  await second.client.waitForScreen(/^first line of the mirror check\nsecond line\n~/);
  await second.client.waitForQuiet(200);
  assert.deepEqual(
    second.client.messages.map((message) => message.type),
    ['state', 'snapshot'],
  );
  assert.match(second.client.screen()[23]!, /notes\.txt/, "vi's status line");
  second.connection.detach();

  // New geometry: the PTY and the mirror are resized before the snapshot, and vi redraws for 100x30.
  const third = open(manager, 'owner', { cols: 100, rows: 30 });
  assert.deepEqual([third.client.state?.cols, third.client.state?.rows], [100, 30]);
  assert.equal(manager.get('alice', 'shell')!.cols, 100);
  await third.client.waitForScreen(/^first line of the mirror check\nsecond line\n~/);
  third.connection.input(bytes('\x1b:set ruler\r'));
  await waitUntil(
    () => /notes\.txt|1,1/.test(third.client.screen()[29]!),
    5000,
    () => third.client.screen().join('\n'),
  );
  const beforeQuit = third.client.text.length;
  third.connection.input(bytes('\x1b:q!\r'));
  // Typed before vi has left, the next line would be read by vi, not by the shell: wait for the shell's prompt.
  await waitUntil(
    () => /\x1b\[\?1049l[\s\S]*\$ $/.test(third.client.text.slice(beforeQuit)),
    5000,
    () => third.client.text.slice(beforeQuit),
  );
  third.connection.input(bytes('echo back-in-$((40+2))\r'));
  await third.client.waitForText('back-in-42');
});

test('exit: viewers get the exit code and are closed; the terminal is gone and the next hello starts a new one', async (t) => {
  const manager = managerFor();
  t.after(() => manager.dispose());
  const { client, connection } = open(manager);
  const pid = manager.get('alice', 'shell')!.pid;
  connection.input(bytes('echo bye; exit 3\r'));
  await waitUntil(
    () => client.closedReason !== undefined,
    5000,
    () => 'close',
  );
  assert.ok(client.text.includes('bye'));
  assert.deepEqual(
    client.messages.find((message) => message.type === 'exit'),
    { type: 'exit', code: 3, signal: undefined },
  );
  assert.equal(manager.get('alice', 'shell'), undefined);
  const next = open(manager);
  assert.notEqual(manager.get('alice', 'shell')!.pid, pid);
  next.connection.input(bytes('echo fresh\r'));
  await next.client.waitForText('fresh');
});

test('the terminal outlives its viewers for the grace time, then is destroyed', async (t) => {
  // 3 s: the 100 ms pause below may last far longer on a loaded machine, and must stay well inside the grace time.
  const graceMs = 3000;
  const manager = managerFor({ limits: { graceMs } });
  t.after(() => manager.dispose());
  const first = open(manager);
  const pid = manager.get('alice', 'shell')!.pid;
  first.connection.detach();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const second = open(manager);
  assert.equal(manager.get('alice', 'shell')!.pid, pid, 'reattached within the grace time');
  second.connection.dispose();
  await waitUntil(
    () => manager.get('alice', 'shell') === undefined,
    graceMs + 5000,
    () => 'grace expiry',
  );
  assert.equal(second.client.closedReason, undefined, 'a detached viewer is not called again');
});
