// A terminal whose process is exiting: node-pty closes the PTY when reading it fails (EIO), a moment before the exit
// itself is reported. A resize in between (a browser window resized as `exit` runs, a page reconnecting) must not
// throw: from a WebSocket frame handler, an exception ends the whole server (found by test/http/fuzz.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TerminalManager } from '../../src/terminal/manager.ts';
import { TerminalSession } from '../../src/terminal/session.ts';
import { DEFAULT_TERMINAL_LIMITS } from '../../src/terminal/limits.ts';
import { testEnvironment } from './terminal-client.ts';

test('resizing or attaching to a terminal while its process exits never throws', { timeout: 60_000 }, async () => {
  const manager = new TerminalManager({ commands: { quick: ['sh', '-c', 'exit 0'] }, defaultCommand: null, env: testEnvironment() });
  const problems: string[] = [];
  try {
    for (let run = 0; run < 30; run++) {
      let ended = false;
      const sink = { send: () => {}, close: () => void (ended = true), undelivered: () => 0 };
      let connection: ReturnType<TerminalManager['attach']>;
      try {
        connection = manager.attach({ attendee: 'alice', terminal: 'quick', role: 'owner', cols: 80, rows: 24 }, sink);
      } catch (error) {
        problems.push(`attach: ${(error as Error).message}`);
        continue;
      }
      const deadline = Date.now() + 5000;
      for (let step = 0; !ended && Date.now() < deadline; step++) {
        try {
          connection.resize(80 + (step % 40), 24 + (step % 10));
        } catch (error) {
          problems.push(`resize: ${(error as Error).message}`);
          break;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      connection.detach();
    }
  } finally {
    manager.dispose();
  }
  assert.deepEqual([...new Set(problems)], [], `${problems.length} of 30 runs threw`);
});

test('a resize in the moment node-pty has closed the descriptor but not yet said so is dropped, never thrown', { timeout: 20_000 }, async () => {
  const log: string[] = [];
  const session = new TerminalSession({
    attendee: 'alice',
    name: 'shell',
    argv: ['sleep', '30'],
    env: testEnvironment(),
    cols: 80,
    rows: 24,
    limits: DEFAULT_TERMINAL_LIMITS,
    log: (line) => log.push(line),
  });
  const sink = { send: () => {}, close: () => {}, undelivered: () => 0 };
  const connection = session.attach('owner', sink);
  try {
    // node-pty's own close (its destroy(), or a read that failed) destroys the PTY's socket: the descriptor is closed
    // at once, its 'close' comes on a later tick. A fuzz run's resize frame landed in between and ended the server.
    (session as unknown as { pty: { _socket: { destroy(): void } } }).pty._socket.destroy();
    assert.doesNotThrow(() => connection.resize(100, 30));
    assert.match(log.join('\n'), /resize after the PTY closed/);
  } finally {
    connection.detach();
    session.dispose();
  }
});
