// Flow control: the pure policy, then `yes` against a slow client on a real PTY.
// test-runner: alone
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { FlowControl } from '../../src/terminal/flow-control.ts';
import { TerminalManager } from '../../src/terminal/manager.ts';
import { DEFAULT_TERMINAL_LIMITS } from '../../src/terminal/limits.ts';
import { TerminalClient, bytes, testEnvironment, waitUntil } from './terminal-client.ts';

const limits = { highWatermark: 100, lowWatermark: 10, stallTimeoutMs: 1000, targetLagMs: 100, mirrorWindow: 100 };

test('a read-write viewer with no measured rate yet pauses the PTY above LOW until it is back to LOW', () => {
  const flow = new FlowControl<string>(limits, () => 0);
  flow.add('owner', true);
  flow.sent('owner', 101);
  assert.equal(flow.evaluate().pause, true);
  flow.acked('owner', 50);
  assert.equal(flow.evaluate().pause, true, 'hysteresis: 51 is not below LOW');
  flow.acked('owner', 41);
  assert.equal(flow.evaluate().pause, false);
});

test('the mirror holds the PTY back like a read-write viewer', () => {
  const flow = new FlowControl<string>(limits, () => 0);
  flow.mirrorWritten(150);
  assert.equal(flow.evaluate().pause, true);
  flow.mirrorParsed(145);
  assert.equal(flow.evaluate().pause, false);
});

test('a window follows the measured parse rate: rate × targetLagMs, between LOW and HIGH', () => {
  let now = 0;
  const flow = new FlowControl<string>({ ...limits, highWatermark: 100_000, lowWatermark: 100 }, () => now);
  flow.add('fast', true);
  flow.add('slow', true);
  flow.add('capped', true);
  for (let step = 0; step < 3; step++) {
    flow.sent('fast', 5_000);
    flow.sent('slow', 50);
    flow.sent('capped', 90_000);
    now += 50;
    flow.acked('fast', 5_000); // 100 bytes/ms: 10,000 in 100 ms
    flow.acked('slow', 50); // 1 byte/ms: 100 in 100 ms, which is LOW
    flow.acked('capped', 90_000); // 1,800 bytes/ms: capped at HIGH
  }
  assert.equal(flow.window('fast'), 10_000);
  assert.equal(flow.window('slow'), 100);
  assert.equal(flow.window('capped'), 100_000);
  flow.sent('fast', 9_000);
  assert.equal(flow.evaluate().pause, false, 'the fast viewer may have 9,000 bytes in flight');
  flow.sent('slow', 101);
  assert.equal(flow.evaluate().pause, true, 'the slow one may not have more than 100');
});

test('idle time (nothing outstanding) does not count as parse time', () => {
  let now = 0;
  const flow = new FlowControl<string>({ ...limits, highWatermark: 100_000, lowWatermark: 100 }, () => now);
  flow.add('owner', true);
  flow.sent('owner', 5_000);
  now += 50;
  flow.acked('owner', 5_000);
  now += 10_000;
  flow.sent('owner', 5_000);
  now += 50;
  flow.acked('owner', 5_000);
  assert.equal(flow.window('owner'), 10_000);
});

test("the mirror window is fixed: the mirror is not on the viewers' way, so its parse rate does not size it", () => {
  let now = 0;
  const flow = new FlowControl<string>({ ...limits, highWatermark: 10_000, lowWatermark: 100, mirrorWindow: 5_000 }, () => now);
  flow.mirrorWritten(2_000);
  now += 100;
  flow.mirrorParsed(2_000); // 20 bytes/ms: a viewer's window would be 2,000
  assert.equal(flow.window('mirror'), 5_000);
  flow.mirrorWritten(5_000);
  assert.equal(flow.evaluate().pause, false);
  flow.mirrorWritten(1);
  assert.equal(flow.evaluate().pause, true);
  flow.mirrorParsed(3_751);
  assert.equal(flow.evaluate().pause, false, 'resumed at a quarter of the window');
});

test('a slow watcher never pauses the PTY: it falls behind, then is repainted once caught up', () => {
  const flow = new FlowControl<string>(limits, () => 0);
  flow.add('watcher', false);
  flow.sent('watcher', 101);
  assert.deepEqual(flow.evaluate(), { pause: false, repaint: [] });
  assert.equal(flow.canSend('watcher'), false, 'its output is skipped');
  flow.acked('watcher', 95);
  assert.deepEqual(flow.evaluate(), { pause: false, repaint: ['watcher'] });
  assert.equal(flow.canSend('watcher'), true);
});

test('a viewer that skips (an interrupt dropped its backlog) stops holding the PTY, learns no rate from the acks of what it dropped, and is repainted', () => {
  let now = 0;
  const flow = new FlowControl<string>(limits, () => now);
  flow.add('owner', true);
  flow.sent('owner', 101);
  assert.equal(flow.evaluate().pause, true);
  flow.skip('owner');
  assert.deepEqual(flow.evaluate(), { pause: false, repaint: [] }, 'nothing holds the PTY; in flight is still above LOW');
  assert.equal(flow.canSend('owner'), false, 'no more output until the repaint');
  now = 60;
  flow.acked('owner', 101);
  assert.deepEqual(flow.evaluate().repaint, ['owner']);
  assert.equal(flow.canSend('owner'), true);
  assert.equal(flow.window('owner'), limits.lowWatermark, 'dropped bytes are not a parse rate');
});

test('a read-write viewer that stalls the PTY past the timeout is dropped to repaint mode', () => {
  let now = 0;
  const flow = new FlowControl<string>(limits, () => now);
  flow.add('frozen-tab', true);
  flow.add('owner', true);
  flow.sent('frozen-tab', 500);
  flow.sent('owner', 500);
  assert.equal(flow.evaluate().pause, true);
  now = 500;
  flow.acked('owner', 500);
  assert.equal(flow.evaluate().pause, true);
  now = 1000;
  const decision = flow.evaluate();
  assert.equal(decision.pause, false, 'the owner is no longer held back by the frozen tab');
  assert.equal(flow.canSend('frozen-tab'), false);
  assert.equal(flow.stats().behind, 1);
  flow.acked('frozen-tab', 500);
  assert.deepEqual(flow.evaluate().repaint, ['frozen-tab']);
});

test("an ack never counts bytes still in the server's send buffer: acking what was never delivered keeps the window full", () => {
  const flow = new FlowControl<string>(limits, () => 0);
  flow.add('owner', true);
  flow.sent('owner', 101);
  flow.acked('owner', 0xffffffff, 101);
  assert.equal(flow.stats().maxUnacked, 101, 'all of it is still buffered: the ack counts nothing');
  assert.equal(flow.evaluate().pause, true);
  flow.acked('owner', 0xffffffff, 40);
  assert.equal(flow.stats().maxUnacked, 40, 'only what left the send buffer can have been parsed');
  assert.equal(flow.evaluate().pause, true, 'hysteresis: 40 is not below LOW');
  flow.acked('owner', 35, 0);
  assert.equal(flow.evaluate().pause, false);
  flow.acked('owner', 0xffffffff, 7);
  assert.equal(flow.stats().maxUnacked, 5, 'an ack never adds to what is outstanding');
});

test('acks of undelivered bytes teach no parse rate, and count as no ack: a read-write viewer making no progress is dropped after the stall timeout', () => {
  let now = 0;
  const flow = new FlowControl<string>({ ...limits, highWatermark: 100_000, lowWatermark: 100 }, () => now);
  flow.add('owner', true);
  flow.sent('owner', 5_000);
  for (; now < 1000; now += 5) flow.acked('owner', 0xffffffff, 4_000);
  assert.equal(flow.window('owner'), 100, 'the 1,000 bytes that left the buffer at first, then none: the rate decays to LOW');
  assert.equal(flow.evaluate().pause, true);
  for (; now < 2005; now += 5) flow.acked('owner', 0xffffffff, 4_000);
  assert.equal(flow.evaluate().pause, false, 'stalled: acks that count nothing are no sign of life');
  assert.equal(flow.canSend('owner'), false);
});

test('a watcher that acks what is still in its send buffer stays behind: it is not repainted into more output', () => {
  const flow = new FlowControl<string>(limits, () => 0);
  flow.add('watcher', false);
  flow.sent('watcher', 101);
  assert.equal(flow.canSend('watcher'), false);
  flow.acked('watcher', 0xffffffff, 101);
  assert.deepEqual(flow.evaluate(), { pause: false, repaint: [] });
  flow.acked('watcher', 0xffffffff, 10);
  assert.deepEqual(flow.evaluate().repaint, ['watcher'], 'repainted once what it holds is down to LOW');
});

/** A bash terminal whose owner's renderer gets through `bytes` every `everyMs` (far slower than `yes` writes). */
function slowOwner(t: TestContext, bytes: number, everyMs: number) {
  const manager = new TerminalManager({ defaultCommand: 'bash', env: testEnvironment() });
  t.after(() => manager.dispose());
  const client = new TerminalClient();
  client.autoAck = false;
  const connection = manager.attach({ attendee: 'alice', terminal: 'shell', role: 'owner', cols: 80, rows: 24 }, client);
  client.onAck = (n) => connection.ack(n);
  const acker = setInterval(() => client.flushAck(bytes), everyMs);
  t.after(() => clearInterval(acker));
  return { manager, client, connection, acker, session: manager.get('alice', 'shell')! };
}

test('`yes` against a renderer slower than it (32 KiB every 20 ms): bounded buffers, the PTY pauses, Ctrl-C brings the prompt back within 1 s', async (t) => {
  // 1.6 MB/s: `yes` writes far faster, so the PTY must wait for the renderer.
  const { manager, client, connection, session } = slowOwner(t, 32 * 1024, 20);
  // A projector that stops acking altogether: it must not hold the attendee back.
  const projector = new TerminalClient();
  projector.autoAck = false;
  const projection = manager.attach({ attendee: 'alice', terminal: 'shell', role: 'watcher', cols: 80, rows: 24 }, projector);
  projector.onAck = (n) => projection.ack(n);
  t.after(() => projector.dispose());
  await waitUntil(
    () => client.text.includes('$ '),
    5000,
    () => 'prompt',
  );

  connection.input(bytes('yes\r'));
  let maxInFlight = 0;
  let sawPause = false;
  let ownerWrittenWhenProjectorFellBehind: number | undefined;
  const started = Date.now();
  // At least 2 s of output; longer (bounded) on a loaded machine until the silent projector has fallen behind (after
  // HIGH) and the owner has gone on without it.
  const ownerWentOn = () => ownerWrittenWhenProjectorFellBehind !== undefined && client.written > ownerWrittenWhenProjectorFellBehind + 100_000;
  while (Date.now() - started < 2000 || (!ownerWentOn() && Date.now() - started < 15_000)) {
    const stats = session.stats();
    maxInFlight = Math.max(maxInFlight, stats.maxUnacked + stats.mirrorPending);
    sawPause ||= stats.paused;
    if (stats.behind === 1) ownerWrittenWhenProjectorFellBehind ??= client.written;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.ok(client.written > 100_000, `yes produced output (${client.written} bytes)`);
  assert.ok(sawPause, 'the PTY was paused');
  // The mirror's window and the owner's (at most HIGH), plus what was already read before pause() took effect.
  const { mirrorWindow, highWatermark } = DEFAULT_TERMINAL_LIMITS;
  assert.ok(maxInFlight < mirrorWindow + highWatermark + 512 * 1024, `bytes in flight stayed bounded: ${maxInFlight}`);

  const interruptedAt = Date.now();
  connection.input(bytes('\x03'));
  await waitUntil(
    () => session.commandLog.some((record) => record.command === 'yes'),
    1000,
    () => 'the yes record',
  );
  await waitUntil(
    () => /\$ $/.test(client.screen().filter(Boolean).at(-1) ?? ''),
    1000 - (Date.now() - interruptedAt),
    () => `prompt; screen:\n${client.screen().join('\n')}`,
  );
  assert.ok(Date.now() - interruptedAt < 1000);
  t.diagnostic(`${client.written} bytes written, at most ${maxInFlight} in flight, prompt ${Date.now() - interruptedAt} ms after Ctrl-C`);
  assert.equal(session.commandLog.at(-1)!.exitCode, 130);

  assert.ok(projector.written < highWatermark + 512 * 1024, `the silent projector was sent at most HIGH + a frame (${projector.written})`);
  assert.ok(ownerWrittenWhenProjectorFellBehind !== undefined, 'the silent projector fell behind');
  assert.ok(
    client.written > ownerWrittenWhenProjectorFellBehind + 100_000,
    `the owner went on without it (${ownerWrittenWhenProjectorFellBehind} then ${client.written} bytes)`,
  );
  // The projector catches up: it is repainted from the mirror and shows the owner's screen.
  projector.flushAck();
  await waitUntil(
    () => projector.messages.filter((message) => message.type === 'snapshot').length === 2,
    2000,
    () => 'a repaint',
  );
  await waitUntil(
    () => projector.screen().join('\n') === client.screen().join('\n'),
    2000,
    () => `same screens:\n${projector.screen().join('\n')}\n---\n${client.screen().join('\n')}`,
  );
});

test('Ctrl-C, then skip: a viewer too slow to get through its window in a second has its prompt within 1 s, as a snapshot', async (t) => {
  // 40 KB/s: the smallest window (LOW, 64 KiB) alone is 1.6 s of parsing.
  const { client, connection, acker, session } = slowOwner(t, 2 * 1024, 50);
  await waitUntil(
    () => client.text.includes('$ '),
    5000,
    () => 'prompt',
  );
  connection.input(bytes('yes\r'));
  await waitUntil(
    () => session.stats().paused && session.stats().maxUnacked >= DEFAULT_TERMINAL_LIMITS.lowWatermark,
    5000,
    () => 'the PTY paused by the slow viewer',
  );

  const interruptedAt = Date.now();
  connection.input(bytes('\x03'));
  // What the page does (terminal-connection.ts): skip, then ack what it dropped and whatever else arrives.
  connection.skip();
  clearInterval(acker);
  client.autoAck = true;
  client.flushAck();
  await waitUntil(
    () => client.messages.filter((message) => message.type === 'snapshot').length === 2,
    1000,
    () => 'a snapshot of the present',
  );
  await waitUntil(
    () => /\$ $/.test(client.screen().filter(Boolean).at(-1) ?? ''),
    1000 - (Date.now() - interruptedAt),
    () => `prompt; screen:\n${client.screen().join('\n')}`,
  );
  t.diagnostic(`prompt ${Date.now() - interruptedAt} ms after Ctrl-C`);
  assert.equal(session.commandLog.at(-1)?.exitCode, 130);
  assert.equal(session.stats().behind, 0, 'live again after the repaint');
  connection.input(bytes('echo live-$((6*7))\r'));
  await client.waitForScreen(/^live-42$/m);
});
