// Recording in `labdeck serve` as a user runs it (bin/labdeck.js in a child process, a self-paced learner on
// loopback): a terminal over its WebSocket, a slide move over the follow channel; then the server is killed with
// SIGKILL, and `labdeck record export` still gives all of it, as JSON and as a .cast. No token is in the files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, constants } from 'node:zlib';
import { WebSocket } from 'ws';
import { decodeServerMessage, encodeClientMessage, followPath, TERMINAL_PROTOCOL_VERSION, TERMINAL_SUBPROTOCOL, type Timeline } from '../../src/protocol.ts';
import { terminalSocketPath } from '../../src/http/terminal-route.ts';
import { startServedCli } from '../support/served-cli.ts';
import { waitFor } from '../support/wait.ts';
import { runLabdeck } from '../cli/run-cli.ts';

async function workshop(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'labdeck-serve-recording-'));
  await mkdir(join(dir, 'slides'));
  await writeFile(join(dir, 'slides', 'a.md'), 'name: first\n# First\n---\nname: second\n# Second\n');
  await writeFile(join(dir, 'workshop.yml'), 'title: Recorded\ngenerated: false\ncontent:\n- slides/a.md\nterminals:\n  shell: local\n');
  return dir;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

test('a recording survives a SIGKILL of the server: the terminal, the command and the slide are exported, no token is written', { timeout: 60_000 }, async (t) => {
  const dir = await workshop();
  const data = join(dir, '.data');
  t.after(() => rm(dir, { recursive: true, force: true }));
  const server = await startServedCli([join(dir, 'workshop.yml'), '--port', '0', '--data', data], { cwd: dir, startTimeoutMs: 30_000 });
  t.after(() => server.stop());
  const origin = `http://127.0.0.1:${server.port}`;

  const terminal = new WebSocket(`ws://127.0.0.1:${server.port}${terminalSocketPath}`, TERMINAL_SUBPROTOCOL, { origin });
  let output = '';
  terminal.on('message', (data: Buffer) => {
    const message = decodeServerMessage(new Uint8Array(data));
    if (message.type === 'output' || message.type === 'snapshot') output += new TextDecoder().decode(message.data);
  });
  await new Promise((resolve, reject) => terminal.once('open', resolve).once('error', reject));
  terminal.send(encodeClientMessage({ type: 'hello', hello: { version: TERMINAL_PROTOCOL_VERSION, token: '', terminal: 'shell', cols: 80, rows: 24 } }));
  await waitFor(() => /[$#] $/.test(output.trimEnd() + ' '), { timeoutMs: 15_000, describe: () => `a prompt; got ${JSON.stringify(output)}` });
  terminal.send(encodeClientMessage({ type: 'input', data: new TextEncoder().encode('echo sigkill-$((6*7))\r') }));
  await waitFor(() => output.includes('sigkill-42'), { timeoutMs: 10_000, describe: () => `the echo; got ${JSON.stringify(output.slice(-300))}` });

  const follow = new WebSocket(`ws://127.0.0.1:${server.port}${followPath}`, { origin });
  await new Promise((resolve, reject) => follow.once('open', resolve).once('error', reject));
  follow.send(JSON.stringify({ type: 'at', index: 1, following: false }));

  // Written once a second: after a second and a half, everything above is on disk.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  server.process.kill('SIGKILL');
  await waitFor(() => server.exited(), { timeoutMs: 10_000, describe: () => 'the server killed' });
  terminal.terminate();
  follow.terminate();

  const exported = await runLabdeck(['record', 'export', 'local', '--data', data, '--json']);
  assert.equal(exported.code, 0, exported.stderr);
  const timeline = JSON.parse(exported.stdout) as Timeline;
  assert.equal(timeline.attendee, 'local');
  assert.deepEqual(timeline.terminals, [{ name: 'shell', cols: 80, rows: 24 }]);
  const printed = timeline.events.flatMap((event) => (event.kind === 'output' ? [event.data] : [])).join('');
  assert.match(printed, /sigkill-42/);
  assert.deepEqual(
    timeline.events.filter((event) => event.kind === 'command').map((event) => [event.terminal, event.command, event.exitCode]),
    [['shell', 'echo sigkill-$((6*7))', 0]],
  );
  assert.deepEqual(
    timeline.events.filter((event) => event.kind === 'slide').map((event) => [event.slide, event.name]),
    [[1, 'second']],
  );
  assert.equal(timeline.inputRecorded, false);

  const cast = join(dir, 'shell.cast');
  const written = await runLabdeck(['record', 'export', 'local', '--data', data, '--out', cast]);
  assert.equal(written.code, 0, written.stderr);
  const [header, ...events] = (await readFile(cast, 'utf8')).trimEnd().split('\n');
  assert.deepEqual(JSON.parse(header ?? ''), {
    version: 2,
    width: 80,
    height: 24,
    timestamp: JSON.parse(header ?? '').timestamp,
    title: 'local/shell',
    env: { TERM: 'xterm-256color' },
  });
  assert.ok(events.some((line) => line.includes('sigkill-42')));

  for (const file of await filesUnder(join(data, 'recordings'))) {
    const text = gunzipSync(await readFile(file), { finishFlush: constants.Z_SYNC_FLUSH }).toString();
    for (const token of [server.instructorToken, server.watcherToken]) assert.ok(!text.includes(token), `${file} holds a token`);
  }
});

test('record export: a clear line for what is missing or wrong', { timeout: 30_000 }, async (t) => {
  const dir = await workshop();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const none = await runLabdeck(['record', 'export', 'a-1', join(dir, 'workshop.yml'), '--data', join(dir, 'empty'), '--json']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /^no recording of a-1 in .*empty \(it holds none\)\n$/);
  const noOut = await runLabdeck(['record', 'export', 'a-1', '--data', join(dir, 'empty')]);
  assert.equal(noOut.code, 2);
  assert.match(noOut.stderr, /choose --out FILE\.cast \(one terminal\) or --json/);
  const badId = await runLabdeck(['record', 'export', '../etc', '--json', '--data', join(dir, 'empty')]);
  assert.equal(badId.code, 2);
  assert.match(badId.stderr, /'\.\.\/etc' is not an attendee id/);
  const noAction = await runLabdeck(['record', '--data', join(dir, 'empty')]);
  assert.equal(noAction.code, 2);
  assert.doesNotMatch(none.stderr + noOut.stderr + badId.stderr + noAction.stderr, /\n\s+at /, 'no stack trace');
});
