// Recording in a class (`labdeck serve --classroom`, compiled, in a child process) with `record: { input: true }`:
// the dashboard tells the instructor that typed input is recorded, an attendee's terminal and typing are recorded
// under their id, and removing the attendee from the dashboard removes their recording with the rest of their data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import {
  dashboardPath,
  decodeServerMessage,
  encodeClientMessage,
  TERMINAL_PROTOCOL_VERSION,
  TERMINAL_SUBPROTOCOL,
  type DashboardServerMessage,
  type Timeline,
} from '../../src/protocol.ts';
import { terminalSocketPath } from '../../src/http/terminal-route.ts';
import { dashboardPagePath } from '../../src/http/classroom-routes.ts';
import { tokenCookie } from '../../src/classroom/access.ts';
import { startServedCli } from '../support/served-cli.ts';
import { waitFor } from '../support/wait.ts';
import { runLabdeck } from '../cli/run-cli.ts';

test('a class with record: { input: true }: the dashboard says so, typing is recorded, removing the attendee removes their recording', { timeout: 60_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'labdeck-class-recording-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'slides'));
  await writeFile(join(dir, 'slides', 'a.md'), '# One\n---\n# Two\n');
  await writeFile(join(dir, 'workshop.yml'), 'title: Class\ngenerated: false\ncontent:\n- slides/a.md\nterminals:\n  shell: local\nrecord:\n  input: true\n');
  const data = join(dir, '.data');
  const server = await startServedCli([join(dir, 'workshop.yml'), '--classroom', '--data', data, '--port', '0'], { cwd: dir, startTimeoutMs: 30_000 });
  t.after(() => server.stop());
  const origin = `http://127.0.0.1:${server.port}`;

  const dashboardPage = await (await fetch(`${server.url}${dashboardPagePath.slice(1)}?token=${server.instructorToken}`)).text();
  assert.match(dashboardPage, /Recording typed input too/);

  const joined = await fetch(`${server.url}join`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: new URLSearchParams({ code: server.classCode ?? '', name: 'Ann' }).toString(),
    redirect: 'manual',
  });
  const token = new RegExp(`${tokenCookie}=([^;]+)`).exec(joined.headers.get('set-cookie') ?? '')?.[1] ?? assert.fail(`no token cookie (${joined.status})`);

  const dashboard = new WebSocket(`ws://127.0.0.1:${server.port}${dashboardPath}`, { origin, headers: { cookie: `${tokenCookie}=${server.instructorToken}` } });
  let attendee: string | undefined;
  dashboard.on('message', (text: Buffer) => {
    const message = JSON.parse(String(text)) as DashboardServerMessage;
    const rows = message.type === 'state' ? message.state.attendees : message.patch.attendees;
    attendee ??= rows.find((row) => row.name === 'Ann')?.id;
  });
  const id = await waitFor(() => attendee, { timeoutMs: 10_000, describe: () => 'Ann on the dashboard' });

  const terminal = new WebSocket(`ws://127.0.0.1:${server.port}${terminalSocketPath}`, TERMINAL_SUBPROTOCOL, { origin, headers: { cookie: `${tokenCookie}=${token}` } });
  let output = '';
  terminal.on('message', (bytes: Buffer) => {
    const message = decodeServerMessage(new Uint8Array(bytes));
    if (message.type === 'output' || message.type === 'snapshot') output += new TextDecoder().decode(message.data);
  });
  await new Promise((resolve, reject) => terminal.once('open', resolve).once('error', reject));
  t.after(() => terminal.terminate());
  terminal.send(encodeClientMessage({ type: 'hello', hello: { version: TERMINAL_PROTOCOL_VERSION, token, terminal: 'shell', cols: 80, rows: 24 } }));
  await waitFor(() => /[$#] $/.test(`${output.trimEnd()} `), { timeoutMs: 15_000, describe: () => `a prompt; got ${JSON.stringify(output)}` });
  terminal.send(encodeClientMessage({ type: 'input', data: new TextEncoder().encode('echo typed-$((6*7))\r') }));
  await waitFor(() => output.includes('typed-42'), { timeoutMs: 10_000, describe: () => `the echo; got ${JSON.stringify(output.slice(-300))}` });

  const timeline = await waitFor(
    async () => {
      const run = await runLabdeck(['record', 'export', id, '--data', data, '--json']);
      const read = run.code === 0 ? (JSON.parse(run.stdout) as Timeline) : undefined;
      return read?.events.some((event) => event.kind === 'input') ? read : undefined;
    },
    { timeoutMs: 10_000, describe: () => `${id}'s recording with input` },
  );
  assert.equal(timeline.inputRecorded, true);
  assert.match(timeline.events.flatMap((event) => (event.kind === 'input' ? [event.data] : [])).join(''), /echo typed-\$\(\(6\*7\)\)\r/);
  assert.ok(existsSync(join(data, 'recordings', id)));

  // `labdeck backup` beside the running class takes the recordings too: the copy exports the same session.
  const copy = join(dir, 'backup');
  const backup = await runLabdeck(['backup', join(dir, 'workshop.yml'), '--data', data, '--out', copy]);
  assert.equal(backup.code, 0, backup.stderr);
  assert.match(backup.stdout, /backed up to .*labdeck\.sqlite with 1 recording \(.*recordings\)$/m);
  const fromCopy = await runLabdeck(['record', 'export', id, '--data', copy, '--json']);
  assert.equal(fromCopy.code, 0, fromCopy.stderr);
  assert.ok(
    (JSON.parse(fromCopy.stdout) as Timeline).events.some((event) => event.kind === 'output' && event.data.includes('typed-42')),
    'the copy has the session',
  );

  dashboard.send(JSON.stringify({ type: 'remove', attendee: id }));
  await waitFor(() => !existsSync(join(data, 'recordings', id)), { timeoutMs: 10_000, describe: () => `${id}'s recording removed` });
  // Their terminal's last output (it closes) does not bring the recording back.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(existsSync(join(data, 'recordings', id)), false);
  dashboard.close();
});
