// A terminal whose process is exiting: node-pty closes the PTY when reading it fails (EIO), a moment before the exit
// itself is reported. A resize in between (a browser window resized as `exit` runs, a page reconnecting) must not
// throw: from a WebSocket frame handler, an exception ends the whole server (found by test/http/fuzz.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TerminalManager } from '../../src/terminal/manager.ts';
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
