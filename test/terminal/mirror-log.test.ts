// The server's mirror parses whatever a terminal's programs print. Bytes it cannot parse are the program's business:
// xterm.js's default log level printed a 40-line dump to the server's stderr for each one, so one `cat` of a binary
// file (or the fuzz test's random input, echoed) flooded the instructor's log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScreenMirror } from '../../src/terminal/screen-mirror.ts';

test('unparsable output from a program logs nothing on the server', { timeout: 10_000 }, async () => {
  const mirror = new ScreenMirror(80, 24, 100);
  const logged: string[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = methods.map((method) => console[method]);
  for (const method of methods) console[method] = (...args: unknown[]) => void logged.push(`${method}: ${args.map(String).join(' ').slice(0, 100)}`);
  try {
    // A replacement character inside a CSI sequence is a parse error for xterm.js.
    await new Promise<void>((resolve) => mirror.write('\u001b[1\ufffd\u001b[\ufffd;\ufffdm plain text\r\n', resolve));
  } finally {
    methods.forEach((method, index) => {
      console[method] = originals[index]!;
    });
    mirror.dispose();
  }
  assert.deepEqual(logged, []);
});
