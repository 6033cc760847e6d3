// A command autopilot gave up waiting for (`docker service create` of an image no registry serves never converges)
// must not keep the terminal: the deck's next commands would be typed into it and time out one after the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TerminalDriver } from '../../src/autopilot/terminal-driver.ts';

test('a host command that times out is interrupted, and the next command runs in the shell', { timeout: 30_000 }, async () => {
  const terminal = new TerminalDriver();
  try {
    assert.equal(await terminal.ready(), true);
    assert.equal(await terminal.runOnHost('sleep 20', 1_000), undefined);
    const next = await terminal.runOnHost('echo after', 5_000);
    assert.equal(next?.exitCode, 0, 'the next command ran within 5 s');
  } finally {
    terminal.dispose();
  }
});

test('a command in a shell without integration (a container, ssh) that times out is interrupted too', { timeout: 30_000 }, async () => {
  const terminal = new TerminalDriver();
  try {
    assert.equal(await terminal.ready(), true);
    // A plain sh: no shell integration, a command is done when the output settles on its prompt (`# `, `$ `).
    assert.equal(await terminal.runInContainer('exec env -i PS1="# " sh', 5_000), true);
    assert.equal(await terminal.runInContainer('sleep 20', 1_000), false);
    assert.equal(await terminal.runInContainer('echo after', 5_000), true, `the next command ran within 5 s: ${terminal.tail(3)}`);
    assert.match(terminal.tail(2), /^after$/m);
  } finally {
    terminal.dispose();
  }
});
